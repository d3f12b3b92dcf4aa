// MCP prompts through a real client: listed with their arguments, filled with the caller's values.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/mcp-client.js';

let server: TestServer;
beforeEach(async () => (server = await startTestServer()));
afterEach(async () => server.close());

describe('prompts', () => {
  it('lists each prompt with its required arguments', async () => {
    const { prompts } = await server.client.listPrompts();
    const byName = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['answer_from_knowledge_base', 'rebuild_knowledge_base']);
    expect(byName.answer_from_knowledge_base!.arguments?.map((a) => [a.name, a.required])).toEqual([
      ['kb', true],
      ['question', true],
    ]);
  });

  it('fills the knowledge base and question into the instructions', async () => {
    const prompt = await server.client.getPrompt({
      name: 'answer_from_knowledge_base',
      arguments: { kb: 'handbook', question: 'How do I roll back?' },
    });
    const message = prompt.messages[0]!;
    expect(message.role).toBe('user');
    const text = message.content.type === 'text' ? message.content.text : '';
    expect(text).toContain('kb "handbook"');
    expect(text).toContain('Question: How do I roll back?');
    expect(text).not.toContain('${');
  });

  it('refuses a prompt call without its required arguments', async () => {
    await expect(server.client.getPrompt({ name: 'rebuild_knowledge_base', arguments: {} })).rejects.toThrow(
      /kb/,
    );
  });
});
