import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyBundle } from '../../domain/account'
import { WrappedKey } from '../../domain/backup'
import {
  type RotationIncomplete,
  type RotationUnknownBackups,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import { BackupId } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { lockAccount } from '../shared/quota'
import { recordEvent } from '../shared/steps'

export const RotateKeysInput = t.strict({
  expectedVersion: Version,
  keyBundle: KeyBundle,
  wrappedKeys: t.array(t.strict({ backupId: BackupId, wrappedKey: WrappedKey })),
})
export type RotateKeysInput = t.TypeOf<typeof RotateKeysInput>
/** All-or-nothing re-wrap of every live backup's data key under a new UMK; records `key-rotated`. */
export type RotateKeys = (
  input: RotateKeysInput,
  caller: Caller,
) => TE.TaskEither<
  VersionMismatch | RotationIncomplete | RotationUnknownBackups | Unavailable,
  { readonly keyBundleVersion: number }
>
export type RotateKeysDeps = Pick<Ports, 'unitOfWork' | 'clock'>

/**
 * One transaction under the account's lock: the version, the coverage of the wrapped keys, the key bundle and
 * the `key-rotated` event, so nothing is half-rotated and no event is missing.
 */
export const rotateKeys =
  (deps: RotateKeysDeps): RotateKeys =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.filterOrElseW(
          (account) => account.keyBundleVersion === input.expectedVersion,
          (account) => versionMismatch(account.keyBundleVersion),
        ),
        TE.flatMap((account) => {
          const keyBundleVersion = account.keyBundleVersion + 1
          return pipe(
            tx.backups.rewrapKeys(caller.accountId, keyBundleVersion, input.wrappedKeys),
            TE.flatMap(() =>
              tx.accounts.save(
                { ...account, keyBundle: input.keyBundle, keyBundleVersion },
                input.expectedVersion,
              ),
            ),
            TE.flatMap(() =>
              recordEvent({ audit: tx.audit, clock: deps.clock })(
                caller.accountId,
                'key-rotated',
                caller,
                caller.deviceId,
              ),
            ),
            TE.as({ keyBundleVersion }),
          )
        }),
      ),
    )
