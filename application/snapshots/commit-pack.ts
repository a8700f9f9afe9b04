/**
 * The last step of a pack upload: one transaction under the account's lock that records the pack, indexes its
 * new objects, claims all of them and checks the quota on the bytes it adds. A refusal writes none of it.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import { type QuotaExceeded } from '../../domain/errors'
import { checkQuota } from '../../domain/quota'
import type { PackEntry, SnapshotPack } from '../../domain/snapshot'
import { packExists } from '../../domain/snapshot-errors'
import type { Unavailable } from '../errors'
import type { AccountTransaction } from '../ports/unit-of-work'
import { lockAccount } from '../shared/quota'
import type { PutPackDeps, PutPackError, PutPackOutput } from './put-pack-input'

/** A pack stored before under the same id: the same bytes are a retry, other bytes PackExists. */
export const asRetry = (stored: SnapshotPack, sha256: string): TE.TaskEither<PutPackError, PutPackOutput> =>
  stored.sha256 === sha256
    ? TE.right({ pack: stored, created: false, newObjects: 0, newBytes: 0 })
    : TE.left(packExists(stored.packId))

/**
 * Quota counts unique stored bytes: only what this pack added, against what the account held before it. A pack
 * that adds nothing (every object already held) stores no new byte and always passes.
 */
const ensureRoomFor = (
  tx: AccountTransaction,
  account: Account,
  newBytes: number,
): TE.TaskEither<Unavailable | QuotaExceeded, void> =>
  newBytes === 0
    ? TE.right(undefined)
    : pipe(
        tx.quota.usage(account.accountId),
        TE.flatMapEither(({ usedBytes, reservedBytes }) =>
          checkQuota(
            { limitBytes: account.quotaLimitBytes, usedBytes: usedBytes - newBytes + reservedBytes },
            newBytes,
          ),
        ),
        TE.asUnit,
      )

export const commitPack = (
  deps: Pick<PutPackDeps, 'unitOfWork' | 'clock'>,
  pack: SnapshotPack,
  entries: ReadonlyArray<PackEntry>,
): TE.TaskEither<PutPackError, PutPackOutput> =>
  deps.unitOfWork.inAccount(pack.accountId, (tx) =>
    pipe(
      lockAccount(tx.quota, pack.accountId),
      TE.flatMap((account) =>
        pipe(
          tx.snapshotObjects.findPack(pack.accountId, pack.packId),
          TE.flatMap(
            O.match(
              () =>
                pipe(
                  tx.snapshotObjects.insertPack(pack, entries, deps.clock.now()),
                  TE.tap(({ newBytes }) => ensureRoomFor(tx, account, newBytes)),
                  TE.map((indexed): PutPackOutput => ({ pack, created: true, ...indexed })),
                ),
              (stored) => asRetry(stored, pack.sha256),
            ),
          ),
        ),
      ),
    ),
  )
