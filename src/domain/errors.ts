/**
 * Typed errors. Each carries the exit code it ends in; only `main()` turns them into a code.
 * The codes are documented in the README and never reused for something else.
 */
export const ExitCode = {
  Ok: 0,
  /** Something voicenum did not expect (a bug); the message says so. */
  Internal: 1,
  /** Bad command line: unknown command or flag, missing argument, malformed value. */
  Usage: 2,
  /** The change was refused by voicenum's rules before anything was pushed. */
  Refused: 3,
  /** Missing or rejected credentials. */
  Auth: 4,
  /** The provider failed or answered something unusable. */
  Provider: 5,
  /** The number changed upstream since the last sync. */
  Conflict: 6,
  /** A batch where some items failed and others succeeded. */
  Partial: 7,
  /** A local file cannot be used: the cache or the config file is damaged, unreadable, unwritable, or the disk is full. */
  LocalState: 8,
  /** `plan --detailed-exitcode`: the plan has changes to apply (nothing failed). */
  ChangesPending: 10,
  /** `drift`: upstream changed since voicenum last knew it (a dashboard edit). Not an error: a finding, for cron and CI. */
  DriftFound: 11,
  /** `doctor` found at least one error-level problem in the fleet (warnings alone exit 0). */
  Unhealthy: 12,
  /** The operator cancelled (Ctrl-C, Esc, or answered no). */
  Cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class VoicenumError extends Error {
  readonly exitCode: ExitCodeValue;
  /** A line printed after the message: what to do next. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

export class UsageError extends VoicenumError {
  /** The message without its details. */
  readonly head: string;
  /** Lines under the message, each shown on its own (a file's problems at their line and column). */
  readonly details: readonly string[];
  constructor(message: string, hint?: string, details: readonly string[] = []) {
    super(details.length ? `${message}\n${details.join('\n')}` : message, ExitCode.Usage, hint);
    this.head = message;
    this.details = details;
  }
}

export class RefusedError extends VoicenumError {
  readonly reasons: string[];
  constructor(reasons: string[], hint?: string) {
    super(reasons.length === 1 ? reasons[0]! : `refused for ${reasons.length} reasons:\n  - ${reasons.join('\n  - ')}`, ExitCode.Refused, hint);
    this.reasons = reasons;
  }
}

export class AuthError extends VoicenumError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Auth, hint);
  }
}

export class ProviderError extends VoicenumError {
  readonly provider: string;
  readonly status: number | null;
  readonly retryable: boolean;
  constructor(provider: string, message: string, options: { status?: number | null; retryable?: boolean; hint?: string } = {}) {
    super(`${provider}: ${message}`, ExitCode.Provider, options.hint);
    this.provider = provider;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A write of several upstream steps failed part way and the adapter could not undo the steps it
 * had made: upstream is left half changed. `needsAttention` is what the number is flagged with:
 * the exact state and how to set it right by hand.
 */
export class PartialWriteError extends ProviderError {
  readonly needsAttention: string;
  constructor(provider: string, message: string, needsAttention: string, options: { status?: number | null; hint?: string } = {}) {
    super(provider, message, options);
    this.needsAttention = needsAttention;
  }
}

export class ConflictError extends VoicenumError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Conflict, hint);
  }
}

/**
 * The local cache, the config file or the folder that holds them cannot be used. Not a bug: the
 * message names the file and says what to do, so the operator can fix it without a report.
 */
export class LocalStateError extends VoicenumError {
  readonly file: string;
  constructor(file: string, message: string, hint?: string) {
    super(message, ExitCode.LocalState, hint);
    this.file = file;
  }
}

export class CancelledError extends VoicenumError {
  constructor(message = 'cancelled; nothing was changed') {
    super(message, ExitCode.Cancelled);
  }
}
