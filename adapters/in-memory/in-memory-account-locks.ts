/**
 * Knows how the in-memory twins keep one account's writes apart as PostgreSQL's row locks keep them: a
 * UnitOfWork holds its account's lock from start to end, and a repository write of that account outside it
 * waits until it is over (reads do not wait: they see what was last committed). Inside a UnitOfWork, the
 * repositories work on a view of the account's rows (in-memory-unit-of-work.ts) and write at once.
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { AccountId } from '../../domain/ids'
import { type InMemoryDatabase, memoryFailure } from './in-memory-database'

const locks = new WeakMap<InMemoryDatabase, Map<AccountId, Promise<void>>>()

/** The views UnitOfWork transactions work on; `open` turns false once their transaction has ended. */
const views = new WeakMap<InMemoryDatabase, { open: boolean }>()

/** Marks `view` as a transaction's own copy: its writes need no lock. */
export const openView = (view: InMemoryDatabase): void => void views.set(view, { open: true })

/** After this, writes to the view fail, as statements on a finished transaction do. */
export const closeView = (view: InMemoryDatabase): void => void views.set(view, { open: false })

/** Runs `run` holding the account's lock; holders of one account run one after the other, in call order. */
export const holdingAccount = async <A>(
  db: InMemoryDatabase,
  accountId: AccountId,
  run: () => Promise<A>,
): Promise<A> => {
  const table = locks.get(db) ?? new Map<AccountId, Promise<void>>()
  locks.set(db, table)
  const before = table.get(accountId) ?? Promise.resolve()
  let release: () => void = () => undefined
  const done = new Promise<void>((resolve) => (release = resolve))
  const tail = before.then(() => done)
  table.set(accountId, tail)
  await before
  try {
    return await run()
  } finally {
    release()
    if (table.get(accountId) === tail) table.delete(accountId)
  }
}

/**
 * A write of one account's rows, lazily: on a transaction's view at once; on the database itself once no
 * UnitOfWork of the account is in flight. `io` runs synchronously, so it is atomic.
 */
export const writing =
  <L, A>(
    db: InMemoryDatabase,
    accountId: AccountId,
    io: () => E.Either<L, A>,
  ): TE.TaskEither<L | Unavailable, A> =>
  async () => {
    const view = views.get(db)
    if (view === undefined) return holdingAccount(db, accountId, () => Promise.resolve(io()))
    return view.open ? io() : E.left(memoryFailure('transaction already ended'))
  }
