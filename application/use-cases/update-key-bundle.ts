import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { KeyBundle } from '../../domain/account'
import type { AccountNotFound, VersionMismatch } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { Version } from './codecs'

export const UpdateKeyBundleInput = t.strict({ expectedVersion: Version, keyBundle: KeyBundle })
export type UpdateKeyBundleInput = t.TypeOf<typeof UpdateKeyBundleInput>
/** Replaces the key bundle if the caller saw the current version; records `key-bundle-updated`. */
export type UpdateKeyBundle = (
  input: UpdateKeyBundleInput,
  caller: Caller,
) => TE.TaskEither<AccountNotFound | VersionMismatch | Unavailable, { readonly keyBundleVersion: number }>
export type UpdateKeyBundleDeps = Pick<Ports, 'accounts' | 'audit' | 'clock'>
