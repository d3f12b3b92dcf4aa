// One contract for every KB lock and every pin implementation (in-process and cross-process), Hono-style.
import { afterEach, describe, expect, it } from 'vitest';
import type { KbLock } from '../../src/engine/concurrency.js';
import type { GenerationPins } from '../../src/engine/coordination/generation-pins.js';

/** Two handles on one lock: the same object in-process, two "processes" (own owners) on one store otherwise. */
export interface LockPair {
  a: KbLock;
  b: KbLock;
  close(): Promise<void>;
}

export interface PinsPair {
  pins: GenerationPins;
  /** Another process's view of the same store; undefined for an in-process implementation. */
  peer: GenerationPins | undefined;
  close(): Promise<void>;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

export function runKbLockContract(name: string, make: () => Promise<LockPair>): void {
  describe(`KbLock contract: ${name}`, () => {
    let pair: LockPair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('returns the job value; a job that throws releases the lock and its error reaches the caller', async () => {
      pair = await make();
      expect(await pair.a.run('kb', async () => 42)).toBe(42);
      await expect(pair.a.run('kb', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await pair.b.run('kb', async () => 'next')).toBe('next');
    });

    it('never overlaps jobs under one key, from either handle', async () => {
      pair = await make();
      const { a, b } = pair;
      let inside = 0;
      let most = 0;
      const order: number[] = [];
      const job = (i: number) => async () => {
        inside++;
        most = Math.max(most, inside);
        await tick();
        order.push(i);
        inside--;
      };
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 === 0 ? a : b).run('kb', job(i))));
      expect(most).toBe(1);
      expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('does not make different keys wait for each other', async () => {
      pair = await make();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      // If key x blocked key y, x would wait forever for y to open its gate.
      const x = pair.a.run('x', () => gate);
      const y = pair.b.run('y', async () => open());
      await Promise.all([x, y]);
    });

    it('drain waits for the jobs queued so far', async () => {
      pair = await make();
      let done = 0;
      for (let i = 0; i < 3; i++)
        void pair.a.run('kb', async () => {
          await tick();
          done++;
        });
      await pair.a.drain();
      expect(done).toBe(3);
    });
  });
}

export function runPinsContract(name: string, make: () => Promise<PinsPair>): void {
  describe(`GenerationPins contract: ${name}`, () => {
    let pair: PinsPair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('counts this process’s pins per generation; a second release does nothing', async () => {
      pair = await make();
      const { pins } = pair;
      const one = await pins.pin('kb', 1);
      const two = await pins.pin('kb', 1);
      await pins.pin('kb', 2);
      expect(pins.pinCount('kb', 1)).toBe(2);
      expect(pins.pinCount('other', 1)).toBe(0);
      one.release();
      one.release();
      expect(pins.pinCount('kb', 1)).toBe(1);
      two.release();
      expect(pins.pinCount('kb', 1)).toBe(0);
      expect(pins.pinCount('kb', 2)).toBe(1);
    });

    it('never counts its own pins as pinned elsewhere', async () => {
      pair = await make();
      await pair.pins.pin('kb', 1);
      expect(await pair.pins.pinnedElsewhere('kb', 1)).toBe(false);
    });

    it('cross-process: a pin is seen by the other process once pin() resolved', async () => {
      pair = await make();
      const { pins, peer } = pair;
      if (!peer) {
        // In-process pins are never published: nothing to re-check against another process's GC.
        expect((await pins.pin('kb', 1)).published).toBe(false);
        return;
      }
      expect(await peer.pinnedElsewhere('kb', 1)).toBe(false);
      const pin = await pins.pin('kb', 1);
      expect(pin.published).toBe(true);
      expect((await pins.pin('kb', 1)).published).toBe(false); // already visible
      expect(await peer.pinnedElsewhere('kb', 1)).toBe(true);
      expect(await peer.pinnedElsewhere('kb', 2)).toBe(false);
      expect(peer.pinCount('kb', 1)).toBe(0);
    });
  });
}
