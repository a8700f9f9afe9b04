import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import { isExpired, type KeyRotationId, type StagedRotation } from '../../domain/key-rotation'
import { type KeyRotationNotFound, keyRotationNotFound } from '../../domain/rotation-errors'
import type { Unavailable } from '../errors'
import type { AccountTransaction } from '../ports/unit-of-work'

/** The account's staged rotation named `rotationId` while it has not expired; otherwise KeyRotationNotFound. */
export const openRotation = (
  tx: AccountTransaction,
  accountId: AccountId,
  rotationId: KeyRotationId | undefined,
  now: Date,
): TE.TaskEither<KeyRotationNotFound | Unavailable, StagedRotation> =>
  pipe(
    tx.keyRotations.find(accountId),
    TE.flatMap(
      O.match(
        () => TE.left(keyRotationNotFound),
        (rotation) =>
          isExpired(rotation, now) || (rotationId !== undefined && rotation.rotationId !== rotationId)
            ? TE.left(keyRotationNotFound)
            : TE.right(rotation),
      ),
    ),
  )

/** When a rotation left alone from `now` on expires. */
export const expiryFrom = (now: Date, ttlSeconds: number): Date => new Date(now.getTime() + ttlSeconds * 1000)
