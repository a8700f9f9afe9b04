import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyBundle } from '../../domain/account'
import { WrappedKey } from '../../domain/backup'
import type { RotationIncomplete, RotationUnknownBackups, VersionMismatch } from '../../domain/errors'
import { BackupId } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
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
export type RotateKeysDeps = Pick<Ports, 'backups' | 'audit' | 'clock'>

/** The coverage check and the writes happen in one repository transaction, so nothing is half-rotated. */
export const rotateKeys =
  (deps: RotateKeysDeps): RotateKeys =>
  (input, caller) =>
    pipe(
      deps.backups.rotateKeys(caller.accountId, input),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'key-rotated', caller, caller.deviceId)),
      TE.map((keyBundleVersion) => ({ keyBundleVersion })),
    )
