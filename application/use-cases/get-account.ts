import type * as TE from 'fp-ts/TaskEither'
import type { KeyBundle } from '../../domain/account'
import type { AccountNotFound } from '../../domain/errors'
import type { AccountId, Username } from '../../domain/ids'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

export type AccountView = Readonly<{
  accountId: AccountId
  username: Username
  createdAt: Date
  keyBundle: KeyBundle
  keyBundleVersion: number
  quota: Readonly<{ limitBytes: number; usedBytes: number }>
}>
export type GetAccount = (caller: Caller) => TE.TaskEither<AccountNotFound | Unavailable, AccountView>
export type GetAccountDeps = Pick<Ports, 'accounts' | 'backups'>
