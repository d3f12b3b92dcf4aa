// Query vectors sent compactly: base64 of little-endian float32 values, a quarter of the JSON array's size.
import { EngineError } from '../engine/errors.js';

/**
 * Decodes `vector_base64`. JSON spells a float32 in up to ~20 characters; base64 takes 5.3 bytes per value,
 * and decoding skips parsing and validating hundreds of numbers. Bad input says what was wrong.
 * @example decodeFloat32Base64(Buffer.from(new Float32Array([0.5, -1]).buffer).toString('base64'))
 */
export function decodeFloat32Base64(text: string): Float32Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new EngineError(
      'INVALID_INPUT',
      'vector_base64 must be standard base64 (A-Z a-z 0-9 + /, padded with =) of little-endian float32 values',
    );
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) {
    throw new EngineError(
      'INVALID_INPUT',
      `vector_base64 decodes to ${bytes.length} bytes; a float32 vector takes 4 bytes per value, so a multiple of 4 (more than 0)`,
    );
  }
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
