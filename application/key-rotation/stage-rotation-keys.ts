import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { WrappedKey } from '../../domain/backup'
import { type RotationUnknownBackups, rotationUnknownBackups } from '../../domain/errors'
import { BackupId } from '../../domain/ids'
import { duplicateBackupPaths, KeyRotationId } from '../../domain/key-rotation'
import {
  type KeyRotationNotFound,
  type RotationDuplicateBackups,
  rotationDuplicateBackups,
} from '../../domain/rotation-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { lockAccount } from '../shared/quota'
import { expiryFrom, openRotation } from './open-rotation'

/** The most keys one page may carry (about 150 KB of JSON). */
export const maxKeysPerPage = 1000

const PageOfKeys = t.refinement(
  t.array(t.strict({ backupId: BackupId, wrappedKey: WrappedKey })),
  (keys) => keys.length >= 1 && keys.length <= maxKeysPerPage,
  'PageOfKeys',
)

export const StageRotationKeysInput = t.strict({ rotationId: KeyRotationId, wrappedKeys: PageOfKeys })
export type StageRotationKeysInput = t.TypeOf<typeof StageRotationKeysInput>
export type StageRotationKeysError =
  RotationDuplicateBackups | KeyRotationNotFound | RotationUnknownBackups | Unavailable

/**
 * Stores one page of re-wrapped keys for the open rotation, in any order and any number of times: a key sent
 * again for the same backup replaces the one before, so a page retried after a lost answer is harmless. Every
 * named backup must be the account's (live or trashed). Each page keeps the rotation from expiring.
 */
export type StageRotationKeys = (
  input: StageRotationKeysInput,
  caller: Caller,
) => TE.TaskEither<StageRotationKeysError, { readonly staged: number }>

export const stageRotationKeys =
  (deps: Pick<Ports, 'unitOfWork' | 'clock' | 'settings'>): StageRotationKeys =>
  (input, caller) => {
    const duplicates = duplicateBackupPaths(input.wrappedKeys)
    if (duplicates.length > 0) return TE.left(rotationDuplicateBackups(duplicates))
    const ids = input.wrappedKeys.map((k) => k.backupId)
    return deps.unitOfWork.inAccount(caller.accountId, (tx) => {
      const now = deps.clock.now()
      return pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.flatMap(() => openRotation(tx, caller.accountId, input.rotationId, now)),
        TE.flatMap(() => tx.backups.findMany(caller.accountId, ids)),
        TE.flatMap((found): TE.TaskEither<RotationUnknownBackups | Unavailable, void> => {
          const known = new Set<string>(found.map((b) => b.backupId))
          const unknown = ids.filter((id) => !known.has(id))
          return unknown.length > 0
            ? TE.left(rotationUnknownBackups(unknown))
            : tx.keyRotations.stage(caller.accountId, input.wrappedKeys)
        }),
        TE.flatMap(() =>
          tx.keyRotations.setExpiresAt(
            caller.accountId,
            expiryFrom(now, deps.settings.keyRotationTtlSeconds),
          ),
        ),
        TE.as({ staged: input.wrappedKeys.length }),
      )
    })
  }
