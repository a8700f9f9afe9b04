import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyRotationId } from '../../domain/key-rotation'
import type { KeyRotationNotFound } from '../../domain/rotation-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { lockAccount } from '../shared/quota'
import { openRotation } from './open-rotation'

export const KeyRotationRef = t.strict({ rotationId: KeyRotationId })
export type KeyRotationRef = t.TypeOf<typeof KeyRotationRef>

/** Discards the open rotation and its staged keys; the account's keys never changed. */
export type AbortKeyRotation = (
  input: KeyRotationRef,
  caller: Caller,
) => TE.TaskEither<KeyRotationNotFound | Unavailable, void>

export const abortKeyRotation =
  (deps: Pick<Ports, 'unitOfWork' | 'clock'>): AbortKeyRotation =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.flatMap(() => openRotation(tx, caller.accountId, input.rotationId, deps.clock.now())),
        TE.flatMap(() => tx.keyRotations.remove(caller.accountId)),
      ),
    )
