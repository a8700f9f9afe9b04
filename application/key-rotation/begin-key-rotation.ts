import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyBundle } from '../../domain/account'
import { type VersionMismatch, versionMismatch } from '../../domain/errors'
import { isExpired, KeyRotationId, type StagedRotation } from '../../domain/key-rotation'
import { type KeyRotationInProgress, keyRotationInProgress } from '../../domain/rotation-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { lockAccount } from '../shared/quota'
import { expiryFrom } from './open-rotation'

export const BeginKeyRotationInput = t.strict({ expectedVersion: Version, keyBundle: KeyBundle })
export type BeginKeyRotationInput = t.TypeOf<typeof BeginKeyRotationInput>
export type BeginKeyRotationError = VersionMismatch | KeyRotationInProgress | Unavailable
export type KeyRotationStarted = Readonly<{ rotationId: KeyRotationId; expiresAt: Date; backupCount: number }>

/**
 * Stages the new key bundle: nothing the account uses changes until the commit. One rotation at a time: an open
 * one is KeyRotationInProgress (its id, so the client resumes or aborts it); an expired one is replaced.
 */
export type BeginKeyRotation = (
  input: BeginKeyRotationInput,
  caller: Caller,
) => TE.TaskEither<BeginKeyRotationError, KeyRotationStarted>
export type BeginKeyRotationDeps = Pick<Ports, 'unitOfWork' | 'clock' | 'ids' | 'settings'>

export const beginKeyRotation =
  (deps: BeginKeyRotationDeps): BeginKeyRotation =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.filterOrElseW(
          (account) => account.keyBundleVersion === input.expectedVersion,
          (account) => versionMismatch(account.keyBundleVersion),
        ),
        TE.flatMap(() => tx.keyRotations.find(caller.accountId)),
        TE.flatMap((open): TE.TaskEither<KeyRotationInProgress | Unavailable, StagedRotation> => {
          const now = deps.clock.now()
          if (O.isSome(open) && !isExpired(open.value, now))
            return TE.left(keyRotationInProgress(open.value.rotationId))
          const rotation: StagedRotation = {
            accountId: caller.accountId,
            rotationId: deps.ids.uuid() as KeyRotationId,
            expectedVersion: input.expectedVersion,
            keyBundle: input.keyBundle,
            createdAt: now,
            expiresAt: expiryFrom(now, deps.settings.keyRotationTtlSeconds),
          }
          return pipe(tx.keyRotations.begin(rotation), TE.as(rotation))
        }),
        TE.flatMap((rotation) =>
          pipe(
            tx.keyRotations.counts(caller.accountId),
            TE.map(({ backups }) => ({
              rotationId: rotation.rotationId,
              expiresAt: rotation.expiresAt,
              backupCount: backups,
            })),
          ),
        ),
      ),
    )
