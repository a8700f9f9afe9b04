import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Username } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { AccountListing } from '../ports/maintenance-queries'
import type { AccountAdminView } from './account-steps'
import type { AdminPorts } from './ports'

export type AccountSummary = Omit<AccountAdminView, 'keyBundleVersion'>

/** A page of accounts; `nextCursor` is the last username listed when another page follows. */
export type AccountPage = Readonly<{ items: ReadonlyArray<AccountSummary>; nextCursor: Username | null }>

export type ListAccountsQuery = Readonly<{
  /** Only accounts whose username sorts after this one, letter case ignored (a page's `nextCursor`). */
  after: O.Option<Username>
  /** 1 to maxAccountPage; outside, it is brought to the nearest bound. */
  limit: number
}>

export const maxAccountPage = 1000

const summary = (a: AccountListing): AccountSummary => ({
  accountId: a.accountId,
  username: a.username,
  createdAt: a.createdAt,
  disabledAt: O.toNullable(a.disabledAt),
  quota: { limitBytes: a.quotaLimitBytes, usedBytes: a.usedBytes },
})

/** Accounts by username (letter case ignored), a page at a time. Reading is not audited. */
export type ListAccounts = (query: ListAccountsQuery) => TE.TaskEither<Unavailable, AccountPage>
export const listAccounts =
  (deps: Pick<AdminPorts, 'maintenance'>): ListAccounts =>
  ({ after, limit }) => {
    const size = Math.min(Math.max(Math.floor(limit), 1), maxAccountPage)
    return pipe(
      deps.maintenance.listAccounts({ after, limit: size }),
      TE.map((rows) => {
        const items = rows.slice(0, size).map(summary)
        const last = items[items.length - 1]
        return { items, nextCursor: rows.length > size && last !== undefined ? last.username : null }
      }),
    )
  }
