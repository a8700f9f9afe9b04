import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import { type BackupNotFound, type RangeNotSatisfiable, rangeNotSatisfiable } from '../../domain/errors'
import type { BackupId } from '../../domain/ids'
import type { ByteRange } from '../ports/blob-store'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { findBackup } from './get-backup'

/** `range` is inclusive; an open-ended or suffix range is resolved by the edge against sizeBytes first. */
export type DownloadBackupInput = Readonly<{ backupId: BackupId; range?: ByteRange }>
export type DownloadBackupOutput = Readonly<{
  backup: Backup
  range: ByteRange | null
  content: AsyncIterable<Uint8Array>
}>
/** Trashed backups stay downloadable until purged, so a user can check before restoring. */
export type DownloadBackup = (
  input: DownloadBackupInput,
  caller: Caller,
) => TE.TaskEither<BackupNotFound | RangeNotSatisfiable | Unavailable, DownloadBackupOutput>
export type DownloadBackupDeps = Pick<Ports, 'backups' | 'blobs'>

const isSatisfiable = (range: ByteRange, sizeBytes: number): boolean =>
  Number.isSafeInteger(range.start) &&
  Number.isSafeInteger(range.end) &&
  range.start >= 0 &&
  range.start <= range.end &&
  range.end < sizeBytes

export const downloadBackup =
  (deps: DownloadBackupDeps): DownloadBackup =>
  (input, caller) =>
    pipe(
      findBackup(deps)(caller.accountId, input.backupId),
      TE.filterOrElseW(
        (backup) => input.range === undefined || isSatisfiable(input.range, backup.sizeBytes),
        (backup) => rangeNotSatisfiable(backup.sizeBytes),
      ),
      TE.map((backup) => ({
        backup,
        range: input.range ?? null,
        content: deps.blobs.read(caller.accountId, backup.blobId, input.range),
      })),
    )
