// MCP prompts: ready-made instructions a user can pick in a client (answer from a KB with citations, rebuild safely).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

interface PromptSpec {
  name: string;
  title: string;
  description: string;
  argsSchema: Record<string, z.ZodString>;
  /** The text with `${arguments.x}` placeholders, as MCP bundle manifests write it. */
  manifestText: string;
}

const kb = z.string().describe('Knowledge base name (read rag-studio://knowledge-bases for the list).');

const answerWithCitations: PromptSpec = {
  name: 'answer_from_knowledge_base',
  title: 'Answer from a knowledge base',
  description: 'Answer a question from one knowledge base, citing the passages used.',
  argsSchema: { kb, question: z.string().describe('The question to answer.') },
  manifestText:
    'Answer the question below from the knowledge base "${arguments.kb}". Call hybrid_search with kb "${arguments.kb}" and the question, group_by "document" and max_tokens 4000 (and, if the first results miss, with rephrased queries or a filter). When a passage is cut off or needs its context, call read_chunks with its chunk_id (before/after 1-2); to read a whole document, read_document. Use only what the results say; cite each fact as citation.source_path#anchor (or page). If the knowledge base does not answer it, say so.\n\nQuestion: ${arguments.question}',
};

const rebuildSafely: PromptSpec = {
  name: 'rebuild_knowledge_base',
  title: 'Rebuild a knowledge base safely',
  description: 'Re-index a knowledge base into a new generation, check it, then promote it (or roll back).',
  argsSchema: { kb },
  manifestText:
    'Rebuild the knowledge base "${arguments.kb}" without disturbing its searches: call create_generation (kb "${arguments.kb}"), write the new content into that generation, compare a few hybrid_search results against the active generation (pass generation to search the new one), then promote_generation. If anything looks worse, promote the previous generation again: that is a rollback.',
};

/** Every prompt, by name (the bundle manifest lists them from here). */
export const PROMPTS: Record<string, PromptSpec> = {
  [answerWithCitations.name]: answerWithCitations,
  [rebuildSafely.name]: rebuildSafely,
};

export function registerPrompts(server: McpServer): void {
  for (const prompt of Object.values(PROMPTS)) {
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.argsSchema },
      (args: Record<string, string>) => ({
        description: prompt.description,
        messages: [
          { role: 'user', content: { type: 'text', text: fillArguments(prompt.manifestText, args) } },
        ],
      }),
    );
  }
}

function fillArguments(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{arguments\.(\w+)\}/g, (_, key: string) => args[key] ?? '');
}
