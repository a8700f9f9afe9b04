/**
 * The snapshot engine's failures as the CLI reports them: one line and a documented exit code (exit-codes.ts).
 * Messages name ids, codes and local paths only.
 */
import * as E from 'fp-ts/Either'
import type { SnapshotError, StoreUnavailable } from '../snapshot/errors'
import { CliError, ExitCode } from './exit-codes'

const storeExitCode = (e: StoreUnavailable): ExitCode => {
  if (e.status === 401 || e.status === 403) return ExitCode.auth
  if (e.status === 404) return ExitCode.notFound
  if (e.status === 409) return ExitCode.conflict
  if (e.status === 413) return ExitCode.quota
  if (e.status === 422) return ExitCode.integrity
  return ExitCode.unavailable
}

export const snapshotExitCodeOf = (e: SnapshotError): ExitCode => {
  switch (e._tag) {
    case 'StoreUnavailable':
      return storeExitCode(e)
    case 'QuotaExceeded':
      return ExitCode.quota
    case 'SnapshotNotFound':
      return e.ambiguous ? ExitCode.usage : ExitCode.notFound
    case 'SnapshotKeyExists':
    case 'SnapshotExists':
    case 'PackExists':
      return ExitCode.conflict
    case 'ObjectsMissing':
    case 'SnapshotKeyUnreadable':
    case 'ObjectCorrupt':
    case 'InvalidEncoding':
    case 'MetadataUnreadable':
      return ExitCode.integrity
    case 'InvalidArgument':
      return ExitCode.usage
    case 'FsFailure':
      return ExitCode.localFile
  }
}

export const describeSnapshotError = (e: SnapshotError): string => {
  switch (e._tag) {
    case 'StoreUnavailable':
      return e.status === undefined
        ? `the snapshot store is unavailable: ${e.reason}`
        : `server refused (${e.status} ${e.code ?? 'no-code'})`
    case 'QuotaExceeded':
      return 'over quota: the new data does not fit in the account’s quota'
    case 'SnapshotNotFound':
      return e.ambiguous
        ? `snapshot id prefix ${e.id} matches several snapshots; give more characters`
        : `no snapshot ${e.id} (see zkeb snapshots)`
    case 'SnapshotKeyExists':
      return 'another device stored the snapshot key meanwhile; run the command again'
    case 'SnapshotExists':
      return `snapshot ${e.id} already exists with other content`
    case 'PackExists':
      return `pack ${e.packId} already exists with other content`
    case 'ObjectsMissing':
      return `the server is missing ${e.ids.length} object(s) a snapshot needs (first: ${e.ids[0] ?? '?'})`
    case 'SnapshotKeyUnreadable':
      return 'the snapshot key does not open with this account’s keys'
    case 'ObjectCorrupt':
      return `object ${e.id} is corrupt (${e.reason})`
    case 'InvalidEncoding':
      return `a ${e.what} is not validly encoded (${e.reason})`
    case 'MetadataUnreadable':
      return `the metadata of snapshot ${e.snapshotId} does not open with this account’s keys`
    case 'InvalidArgument':
      return `invalid argument: ${e.what}`
    case 'FsFailure':
      return `cannot ${e.op} ${e.path} (${e.code})`
  }
}

export const snapshotCliError = (e: SnapshotError): CliError =>
  new CliError(snapshotExitCodeOf(e), describeSnapshotError(e))

/** The Right of an engine result; a Left is thrown as the CliError main reports. */
export const snap = <A>(result: E.Either<SnapshotError, A>): A => {
  if (E.isLeft(result)) throw snapshotCliError(result.left)
  return result.right
}
