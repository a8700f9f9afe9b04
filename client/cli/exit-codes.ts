/**
 * The documented exit codes of `zkeb` (also printed by `zkeb --help`), and the one mapping from failures to
 * them. Scripts may rely on these numbers: never renumber, only add.
 */
import type { SdkError } from '../sdk'

export const ExitCode = {
  ok: 0,
  /** An unexpected failure (a bug): please report it. */
  unexpected: 1,
  /** Bad command line: unknown command or flag, missing argument, no password source, ambiguous snapshot id prefix. */
  usage: 2,
  /** No local state: run `zkeb register` or `zkeb login` first. */
  notLoggedIn: 3,
  /** Wrong password or recovery key, session ended, device revoked, not allowed. */
  auth: 4,
  /** No such backup or device. */
  notFound: 5,
  /** Conflict: already exists, keys changed meanwhile, not in trash, username taken. */
  conflict: 6,
  /** Over quota or too large. */
  quota: 7,
  /**
   * Integrity: corrupt or cut download, bad upload signature, unopenable data, broken audit chain, a snapshot
   * object corrupt or missing (check).
   */
  integrity: 8,
  /** The server is unreachable, unavailable, rate limiting, or answered garbage. */
  unavailable: 9,
  /** The local state (config folder) is corrupted or unreadable. */
  localState: 10,
  /** A local file could not be read or written. */
  localFile: 11,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure the CLI reports as one line on stderr with its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export const cliError = (exitCode: ExitCode, message: string): never => {
  throw new CliError(exitCode, message)
}

const apiExitCode = (status: number): ExitCode => {
  if (status === 401 || status === 403) return ExitCode.auth
  if (status === 404) return ExitCode.notFound
  if (status === 409 || status === 412) return ExitCode.conflict
  if (status === 413) return ExitCode.quota
  if (status === 422) return ExitCode.integrity
  if (status === 429 || status >= 500) return ExitCode.unavailable
  return ExitCode.unexpected
}

export const exitCodeOf = (e: SdkError): ExitCode => {
  switch (e._tag) {
    case 'ApiError':
      return apiExitCode(e.status)
    case 'NetworkError':
    case 'BadResponse':
      return ExitCode.unavailable
    case 'WrongPassword':
    case 'BadRecoveryKey':
      return ExitCode.auth
    case 'KeysUnreadable':
      return e.what === 'device-key' ? ExitCode.localState : ExitCode.integrity
    case 'ContentCorrupt':
    case 'BadSignature':
      return ExitCode.integrity
    case 'MetadataTooLarge':
    case 'InvalidArgument':
      return ExitCode.usage
  }
}
