/** Stable codes of the errors that stop a run before or while it is carried out (exit 2). */
export type ConformanceErrorCode =
  | 'SPEC_UNREADABLE'
  | 'SPEC_SYNTAX'
  | 'SPEC_SCHEMA'
  | 'SPEC_DUPLICATE_ID'
  | 'SPEC_UNKNOWN_CLAUSE'
  | 'SPEC_INCONSISTENT'
  | 'SUITE_NOT_FOUND'
  | 'SUITE_EMPTY'
  | 'CONFIG_INVALID'
  | 'TARGET_UNREACHABLE'
  | 'STATE_ADAPTER_INVALID'
  | 'BROKER_UNREACHABLE'
  | 'RESUME_MISMATCH'
  | 'MERGE_REFUSED'
  | 'LEDGER_UNAVAILABLE'
  | 'LEDGER_READ_ONLY'
  | 'LEDGER_REFUSED'
  | 'LEDGER_NOT_FOUND';

/** An error the CLI turns into one clear line and exit code 2. */
export class ConformanceError extends Error {
  readonly code: ConformanceErrorCode;
  /** Where the problem is, when it is in a file: `specs/http/wipedata.yaml:41:5`. */
  readonly where: string | undefined;

  constructor(code: ConformanceErrorCode, message: string, where?: string) {
    super(message);
    this.name = 'ConformanceError';
    this.code = code;
    this.where = where;
  }

  /** The line the CLI prints. */
  describe(): string {
    return `${this.code}${this.where ? ` ${this.where}` : ''}: ${this.message}`;
  }
}
