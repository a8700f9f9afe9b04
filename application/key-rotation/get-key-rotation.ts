import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { StagedRotation } from '../../domain/key-rotation'
import type { KeyRotationNotFound } from '../../domain/rotation-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { openRotation } from './open-rotation'

export type KeyRotationState = StagedRotation & Readonly<{ backupCount: number; stagedCount: number }>

/**
 * The account's open rotation, with its staged key bundle: what a client that lost its state needs to resume
 * (it unwraps the new UMK from the bundle), and how far the upload got.
 */
export type GetKeyRotation = (
  caller: Caller,
) => TE.TaskEither<KeyRotationNotFound | Unavailable, KeyRotationState>

export const getKeyRotation =
  (deps: Pick<Ports, 'unitOfWork' | 'clock'>): GetKeyRotation =>
  (caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        openRotation(tx, caller.accountId, undefined, deps.clock.now()),
        TE.flatMap((rotation) =>
          pipe(
            tx.keyRotations.counts(caller.accountId),
            TE.map(({ backups, staged }) => ({ ...rotation, backupCount: backups, stagedCount: staged })),
          ),
        ),
      ),
    )
