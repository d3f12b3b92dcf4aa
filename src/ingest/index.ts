// The ingestion pipeline's public surface: used by the `ingest` CLI and the ingest_documents tool.
export { ingestDocuments, DEFAULT_MAX_FILE_BYTES, type IngestOptions } from './run-ingestion.js';
export { reportToJson, type IngestReport, type IngestProgress, type FileIssue } from './report.js';
export { DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, chunkDocument } from './chunker.js';
export { resolveRoots, SourceError } from './sources.js';
export { SUPPORTED_EXTENSIONS, readerFor } from './readers/index.js';
export { estimateTokens } from './tokens.js';
export { watchFolders, type FolderWatch } from './watch.js';
export { IngestJobs, jobsFor, jobToJson, type IngestJob, type JobStatus } from './jobs.js';
