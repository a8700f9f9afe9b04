import { pipe } from 'fp-ts/function'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import { purgeCutoff } from '../../domain/backup'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { PurgeCandidate } from '../ports/backup-repository'
import { recordEvent } from '../shared/steps'

/** Purges trashed backups past the retention window, blob after record; records `backup-purged` for each. */
export type PurgeExpiredTrash = () => TE.TaskEither<Unavailable, { readonly purged: number }>
export type PurgeExpiredTrashDeps = Pick<Ports, 'backups' | 'blobs' | 'audit' | 'clock' | 'settings'>

const batchSize = 100
/** Maintenance runs have no HTTP request; their audit events carry this request id. */
const maintenance = { requestId: 'maintenance:purge' }

/** Record first, so a failure between the two leaves an unreachable blob, never a record without content. */
const purgeOne =
  (deps: PurgeExpiredTrashDeps) =>
  (c: PurgeCandidate): TE.TaskEither<Unavailable, void> =>
    pipe(
      deps.backups.remove(c.accountId, c.backupId),
      TE.flatMap(() => deps.blobs.delete(c.accountId, c.blobId)),
      TE.flatMap(() => recordEvent(deps)(c.accountId, 'backup-purged', maintenance)),
    )

const purgeFrom =
  (deps: PurgeExpiredTrashDeps, cutoff: Date) =>
  (purgedSoFar: number): TE.TaskEither<Unavailable, number> =>
    pipe(
      deps.backups.dueForPurge(cutoff, batchSize),
      TE.flatMap((batch) =>
        pipe(
          batch,
          RA.traverse(TE.ApplicativeSeq)(purgeOne(deps)),
          TE.flatMap(() =>
            batch.length < batchSize
              ? TE.right(purgedSoFar + batch.length)
              : purgeFrom(deps, cutoff)(purgedSoFar + batch.length),
          ),
        ),
      ),
    )

export const purgeExpiredTrash =
  (deps: PurgeExpiredTrashDeps): PurgeExpiredTrash =>
  () =>
    pipe(
      TE.fromIO(() => purgeCutoff(deps.clock.now(), deps.settings.trashRetentionDays)),
      TE.flatMap((cutoff) => purgeFrom(deps, cutoff)(0)),
      TE.map((purged) => ({ purged })),
    )
