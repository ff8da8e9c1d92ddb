/**
 * What went wrong, in the terms a front end acts on: the CLI maps `kind` to its exit code once
 * (cli/main.ts), the editor to the right notification once (commands/registerCommands.ts).
 * - `input`: the user can fix it (a flag, a setting, a data file named in `file`); exit 2.
 * - `external`: a service, the network or the disk failed; trying again may help; exit 1.
 * - `cancelled`: the user stopped it; exit 130, no error notification.
 * - `internal`: a bug; shown with its stack; exit 1.
 */
export type StudioErrorKind = 'input' | 'external' | 'cancelled' | 'internal';

export interface StudioErrorOptions {
  /** The file the problem is in, when there is one (the editor offers to open it). */
  file?: string;
  cause?: unknown;
}

export class StudioError extends Error {
  readonly file?: string;

  constructor(
    message: string,
    readonly kind: StudioErrorKind,
    options: StudioErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
}

/** A mistake in how something was called or in its input: a flag, a setting, a data file. */
export class InputError extends StudioError {
  constructor(message: string, options: StudioErrorOptions = {}) {
    super(message, 'input', options);
  }
}

/** A failure outside the program: a service, the network, the disk. */
export class ExternalError extends StudioError {
  constructor(message: string, options: StudioErrorOptions = {}) {
    super(message, 'external', options);
  }
}

/** Node's file-system error codes that the user fixes (a path, a permission, a full disk). */
const INPUT_FS_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG', 'ELOOP']);

/** The kind of any thrown value: a StudioError says; aborts are cancellations; file-system errors are input. */
export function errorKind(error: unknown): StudioErrorKind {
  if (error instanceof StudioError) {
    return error.kind;
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') {
    return 'cancelled';
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && INPUT_FS_CODES.has(code)) {
    return 'input';
  }
  return 'internal';
}

/** The file a thrown value is about, when it names one. */
export function errorFile(error: unknown): string | undefined {
  if (error instanceof StudioError) {
    return error.file;
  }
  const candidate = (error as NodeJS.ErrnoException | null)?.path;
  return typeof candidate === 'string' ? candidate : undefined;
}
