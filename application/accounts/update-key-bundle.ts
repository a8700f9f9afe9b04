import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { KeyBundle, replaceKeyBundle } from '../../domain/account'
import type { AccountNotFound, VersionMismatch } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { loadAccount, recordEvent } from '../shared/steps'

export const UpdateKeyBundleInput = t.strict({ expectedVersion: Version, keyBundle: KeyBundle })
export type UpdateKeyBundleInput = t.TypeOf<typeof UpdateKeyBundleInput>
/** Replaces the key bundle if the caller saw the current version; records `key-bundle-updated`. */
export type UpdateKeyBundle = (
  input: UpdateKeyBundleInput,
  caller: Caller,
) => TE.TaskEither<AccountNotFound | VersionMismatch | Unavailable, { readonly keyBundleVersion: number }>
export type UpdateKeyBundleDeps = Pick<Ports, 'accounts' | 'audit' | 'clock'>

export const updateKeyBundle =
  (deps: UpdateKeyBundleDeps): UpdateKeyBundle =>
  (input, caller) =>
    pipe(
      loadAccount(deps)(caller.accountId),
      TE.flatMapEither((account) => replaceKeyBundle(account, input.expectedVersion, input.keyBundle)),
      TE.tap((updated) => deps.accounts.save(updated, input.expectedVersion)),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'key-bundle-updated', caller, caller.deviceId)),
      TE.map(({ keyBundleVersion }) => ({ keyBundleVersion })),
    )
