// Resource template rag-studio://jobs/{id}: progress and final report of an ingest_documents job.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { jobsFor, jobToJson } from '../ingest/index.js';
import { jsonContents, MIME_JSON, RESOURCE_NOT_FOUND, variable, type ResourceDeps } from './resource-json.js';

export function registerJobsResource(server: McpServer, deps: ResourceDeps): void {
  const jobs = jobsFor(deps.engine);
  server.registerResource(
    'ingest-job',
    new ResourceTemplate('rag-studio://jobs/{id}', {
      list: () => ({
        resources: jobs.list().map((job) => ({
          uri: `rag-studio://jobs/${job.id}`,
          name: `ingest ${job.kb} (${job.status})`,
          mimeType: MIME_JSON,
        })),
      }),
    }),
    {
      title: 'Ingestion job',
      description:
        'An ingest_documents job: status (running, done, failed, cancelled), progress (phase, files done/total, chunks), and when done its report. Kept until the server exits.',
      mimeType: MIME_JSON,
    },
    (uri, variables) => {
      const id = variable(variables.id);
      const job = jobs.get(id);
      if (!job) {
        throw new McpError(
          RESOURCE_NOT_FOUND,
          `JOB_NOT_FOUND: no ingestion job "${id}" (jobs last until the server exits)`,
          {
            uri: uri.href,
          },
        );
      }
      return jsonContents(uri, jobToJson(job));
    },
  );
}
