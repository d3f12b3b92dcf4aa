// Resource templates rag-studio://knowledge-bases/{kb}/documents{?offset,limit,path}: a KB's documents, paged, found by path.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  completeKbName,
  jsonContents,
  MIME_JSON,
  readOrThrow,
  variable,
  type ResourceDeps,
} from './resource-json.js';

export const DEFAULT_DOCUMENTS_PAGE = 100;
export const MAX_DOCUMENTS_PAGE = 1000;

export const documentsContentSchema = z.object({
  kb: z.string(),
  generation: z.number().int(),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  /** The path filter asked for (`&path=`), null without one; `total` counts the matching documents. */
  path: z.string().nullable(),
  /** Offset of the next page, null on the last one. */
  next_offset: z.number().int().nullable(),
  documents: z.array(
    z.object({
      document_id: z.string(),
      title: z.string().nullable(),
      source_path: z.string().nullable(),
      chunks: z.number().int(),
      hash: z.string().nullable(),
      updated_at: z.string(),
    }),
  ),
});

export function documentsUri(kb: string, offset = 0, limit = DEFAULT_DOCUMENTS_PAGE): string {
  return `rag-studio://knowledge-bases/${kb}/documents?offset=${offset}&limit=${limit}`;
}

function pageNumber(raw: string | string[] | undefined, name: string, fallback: number, max: number): number {
  const text = variable(raw);
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `INVALID_INPUT: ${name} must be an integer 0..${max}, got "${text}"`,
    );
  }
  return value;
}

/**
 * Three templates, one handler: the SDK's matcher wants every query variable present, in order, so
 * `…/documents` (the first page), `…/documents?offset=&limit=` and `…/documents?offset=&limit=&path=` (a
 * search by path) are registered separately.
 */
export function registerDocumentsResource(server: McpServer, deps: ResourceDeps): void {
  for (const [name, template] of [
    ['knowledge-base-documents', 'rag-studio://knowledge-bases/{kb}/documents'],
    ['knowledge-base-documents-page', 'rag-studio://knowledge-bases/{kb}/documents{?offset,limit}'],
    ['knowledge-base-documents-search', 'rag-studio://knowledge-bases/{kb}/documents{?offset,limit,path}'],
  ] as const) {
    registerTemplate(server, deps, name, template);
  }
}

function registerTemplate(server: McpServer, deps: ResourceDeps, name: string, template: string): void {
  server.registerResource(
    name,
    new ResourceTemplate(template, {
      list: undefined,
      complete: { kb: (value) => completeKbName(deps, value) },
    }),
    {
      title: 'Documents of a knowledge base',
      description:
        "The documents of a knowledge base's active generation, sorted by id, 100 per page (?offset=&limit=, at most 1000): document_id (the path relative to the ingested folder), title, source_path, chunks, hash (content hash of the file) and updated_at. With &path=, only the documents whose id or source path contains that text (case-insensitive).",
      mimeType: MIME_JSON,
    },
    async (uri, variables) => {
      const kb = variable(variables.kb);
      const offset = pageNumber(variables.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
      const limit = pageNumber(variables.limit, 'limit', DEFAULT_DOCUMENTS_PAGE, MAX_DOCUMENTS_PAGE);
      const path = variables.path === undefined ? null : variable(variables.path);
      const page = await readOrThrow(deps, uri, () =>
        deps.engine.listDocuments(kb, { offset, limit, ...(path ? { pathContains: path } : {}) }),
      );
      const content: z.infer<typeof documentsContentSchema> = {
        kb: page.kb,
        generation: page.generation,
        total: page.total,
        offset,
        limit,
        path,
        next_offset: offset + page.documents.length < page.total ? offset + page.documents.length : null,
        documents: page.documents.map((d) => ({
          document_id: d.documentId,
          title: d.title,
          source_path: d.sourcePath,
          chunks: d.chunks,
          hash: d.version,
          updated_at: d.updatedAt,
        })),
      };
      return jsonContents(uri, content);
    },
  );
}
