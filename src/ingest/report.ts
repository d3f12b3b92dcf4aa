// The ingestion report and progress shapes shared by the CLI and the MCP tool.

export interface FileIssue {
  path: string;
  reason: string;
}

export interface IngestReport {
  kb: string;
  /** The generation written (the new one, promoted, for a rebuild); null for a dry run of a new KB. */
  generation: number | null;
  /** Documents. */
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Chunks written (or, in a dry run, that would be). */
  chunks: number;
  skipped: FileIssue[];
  failed: FileIssue[];
  dryRun: boolean;
  rebuild: boolean;
  /** For a rebuild: whether the new generation went live. Null for a sync or a dry run. */
  promoted: boolean | null;
  /** Why a rebuilt generation was kept out of service (it stays searchable by its number). */
  notPromotedReason?: string;
  tookMs: number;
}

export interface IngestProgress {
  phase: 'scanning' | 'ingesting' | 'deleting' | 'promoting' | 'done';
  filesDone: number;
  /** Known once scanning is over. */
  filesTotal: number | null;
  chunks: number;
  currentPath?: string;
}

export function emptyReport(kb: string, dryRun: boolean, rebuild: boolean): IngestReport {
  return {
    kb,
    generation: null,
    added: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    chunks: 0,
    skipped: [],
    failed: [],
    dryRun,
    rebuild,
    promoted: null,
    tookMs: 0,
  };
}

/** The report as JSON for people and agents (snake_case, like every MCP output): the CLI's --json shape. */
export function reportToJson(report: IngestReport) {
  return {
    kb: report.kb,
    generation: report.generation,
    added: report.added,
    updated: report.updated,
    unchanged: report.unchanged,
    deleted: report.deleted,
    chunks: report.chunks,
    skipped: report.skipped,
    failed: report.failed,
    dry_run: report.dryRun,
    rebuild: report.rebuild,
    promoted: report.promoted,
    ...(report.notPromotedReason === undefined ? {} : { not_promoted_reason: report.notPromotedReason }),
    took_ms: report.tookMs,
  };
}
