/**
 * The snapshot collector (protocol v1.1 §9), per account: first, under the account's collector lock (shared with
 * snapshot creation), the indexed objects no snapshot references whose last claim is older than the grace
 * period; then the packs with no indexed object left, pack row first and blob after. That order is the safe one:
 * once the row is gone nothing can name the blob (no object points into the pack, and a retried upload of the
 * same pack id is stored anew), and a crash before the blob's deletion leaves an orphan blob, which the blob
 * collector removes. The other order could leave a row naming a deleted blob, which a retried upload would
 * take for the pack already stored.
 * Nothing else is collected: an object a snapshot references, or one a running backup was told is present
 * (claimed within the grace period), stays.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as RA from 'fp-ts/ReadonlyArray'
import * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export type CollectSnapshotGarbageOptions = Readonly<{
  /** Overrides the settings' grace period (operators and tests). */
  graceSeconds?: number
}>
export type SnapshotGarbageCollected = Readonly<{ accounts: number; objects: number; packs: number }>
export type CollectSnapshotGarbage = (
  options?: CollectSnapshotGarbageOptions,
) => TE.TaskEither<Unavailable, SnapshotGarbageCollected>
export type CollectSnapshotGarbageDeps = Pick<
  Ports,
  'snapshotAccounts' | 'unitOfWork' | 'blobs' | 'clock' | 'settings'
>

const accountPage = 200
/** Objects removed per transaction, so the collector lock is never held long. */
const objectBatch = 5000
const packBatch = 100

const nothing: SnapshotGarbageCollected = { accounts: 0, objects: 0, packs: 0 }
const add = (a: SnapshotGarbageCollected, b: SnapshotGarbageCollected): SnapshotGarbageCollected => ({
  accounts: a.accounts + b.accounts,
  objects: a.objects + b.objects,
  packs: a.packs + b.packs,
})

/** Repeats `batch` until it does less than `size`, adding up what each did. */
const untilShort =
  (size: number, batch: () => TE.TaskEither<Unavailable, number>) =>
  (soFar: number): TE.TaskEither<Unavailable, number> =>
    pipe(
      batch(),
      TE.flatMap((n) => (n < size ? TE.right(soFar + n) : untilShort(size, batch)(soFar + n))),
    )

const collectObjects = (deps: CollectSnapshotGarbageDeps, accountId: AccountId, cutoff: Date) =>
  untilShort(objectBatch, () =>
    deps.unitOfWork.inAccount(accountId, (tx) =>
      pipe(
        tx.snapshots.lockCollector(accountId),
        TE.flatMap(() => tx.snapshotObjects.collectObjects(accountId, cutoff, objectBatch)),
      ),
    ),
  )(0)

const removePacks = (deps: CollectSnapshotGarbageDeps, accountId: AccountId) =>
  untilShort(packBatch, () =>
    pipe(
      deps.unitOfWork.inAccount(accountId, (tx) => tx.snapshotObjects.removeEmptyPacks(accountId, packBatch)),
      TE.tap(RA.traverse(TE.ApplicativeSeq)((pack) => deps.blobs.delete(accountId, pack.blobId))),
      TE.map((packs) => packs.length),
    ),
  )(0)

const collectAccount =
  (deps: CollectSnapshotGarbageDeps, cutoff: Date) =>
  (accountId: AccountId): TE.TaskEither<Unavailable, SnapshotGarbageCollected> =>
    pipe(
      TE.Do,
      TE.bind('objects', () => collectObjects(deps, accountId, cutoff)),
      TE.bind('packs', () => removePacks(deps, accountId)),
      TE.map(({ objects, packs }) => ({ accounts: 1, objects, packs })),
    )

const collectFrom =
  (deps: CollectSnapshotGarbageDeps, cutoff: Date) =>
  (
    after: O.Option<AccountId>,
    soFar: SnapshotGarbageCollected,
  ): TE.TaskEither<Unavailable, SnapshotGarbageCollected> =>
    pipe(
      deps.snapshotAccounts.list(after, accountPage),
      TE.flatMap((page) =>
        pipe(
          page,
          RA.traverse(TE.ApplicativeSeq)(collectAccount(deps, cutoff)),
          TE.map((done) => done.reduce(add, soFar)),
          TE.flatMap((total) =>
            page.length < accountPage ? TE.right(total) : collectFrom(deps, cutoff)(RA.last(page), total),
          ),
        ),
      ),
    )

export const collectSnapshotGarbage =
  (deps: CollectSnapshotGarbageDeps): CollectSnapshotGarbage =>
  (options = {}) =>
    pipe(
      TE.fromIO(() => {
        const grace = options.graceSeconds ?? deps.settings.snapshotGarbageGraceSeconds
        return new Date(deps.clock.now().getTime() - grace * 1000)
      }),
      TE.flatMap((cutoff) => collectFrom(deps, cutoff)(O.none, nothing)),
    )
