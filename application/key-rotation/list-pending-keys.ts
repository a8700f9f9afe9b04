import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { BackupId } from '../../domain/ids'
import { KeyRotationId } from '../../domain/key-rotation'
import type { KeyRotationNotFound } from '../../domain/rotation-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { RewrappedKey } from '../ports/backup-repository'
import type { Ports } from '../ports/index'
import { openRotation } from './open-rotation'

/** Up to 1,000 per page: the same bound as a page of staged keys. */
export const PendingLimit = t.refinement(t.Int, (n) => n >= 1 && n <= 1000, 'PendingLimit')

export const ListPendingKeysInput = t.exact(
  t.intersection([
    t.type({ rotationId: KeyRotationId, limit: PendingLimit }),
    t.partial({ after: BackupId }),
  ]),
)
export type ListPendingKeysInput = t.TypeOf<typeof ListPendingKeysInput>
export type PendingKeys = Readonly<{ items: ReadonlyArray<RewrappedKey>; nextAfter: BackupId | null }>

/**
 * The backups (live and trashed) that have no re-wrapped key staged yet, with their current wrapped key, in
 * backup-id order after `after`: the client walks them once with `nextAfter`, re-wrapping each page. What it
 * already staged is left out, so a client that resumes starts where it stopped, whatever it kept.
 */
export type ListPendingKeys = (
  input: ListPendingKeysInput,
  caller: Caller,
) => TE.TaskEither<KeyRotationNotFound | Unavailable, PendingKeys>

export const listPendingKeys =
  (deps: Pick<Ports, 'unitOfWork' | 'clock'>): ListPendingKeys =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        openRotation(tx, caller.accountId, input.rotationId, deps.clock.now()),
        TE.flatMap(() => tx.keyRotations.pending(caller.accountId, O.fromNullable(input.after), input.limit)),
        TE.map((items) => ({
          items,
          nextAfter: items.length < input.limit ? null : (items[items.length - 1]?.backupId ?? null),
        })),
      ),
    )
