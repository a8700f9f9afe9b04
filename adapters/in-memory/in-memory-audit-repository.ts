/** Knows how to keep the hash-chained audit trail in memory, with the same contract as the PostgreSQL adapter. */
import { createHash, randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AuditRepository } from '../../application/ports/audit-repository'
import { auditCanonicalBytes, type AuditEvent, genesisHash } from '../../domain/audit'
import type { EventId, Sha256Hex } from '../../domain/ids'
import { writing } from './in-memory-account-locks'
import { inMemoryDatabase, type InMemoryDatabase, memoryFailure } from './in-memory-database'

const sha256Hex = (bytes: Uint8Array): Sha256Hex =>
  createHash('sha256').update(bytes).digest('hex') as Sha256Hex

/**
 * An append links to the account's last event synchronously, under the account's lock, so two appends can
 * never read the same previous hash. A cursor naming no event of the account yields an empty page: events are
 * never removed one by one.
 */
export const inMemoryAuditRepository = (db: InMemoryDatabase = inMemoryDatabase()): AuditRepository => ({
  append: (draft, at) =>
    writing(db, draft.accountId, () => {
      if (!db.accounts.has(draft.accountId)) return E.left(memoryFailure('account not found'))
      const chain = db.audit.get(draft.accountId) ?? []
      const prevHash = chain[chain.length - 1]?.hash ?? genesisHash
      const unhashed = { ...draft, eventId: randomUUID() as EventId, at: new Date(at.getTime()), prevHash }
      const event: AuditEvent = { ...unhashed, hash: sha256Hex(auditCanonicalBytes(unhashed)) }
      db.audit.set(draft.accountId, [...chain, event])
      return E.right(structuredClone(event))
    }),
  list: (accountId, query) =>
    TE.fromIO(() => {
      const chain = db.audit.get(accountId) ?? []
      const cursorId = O.isSome(query.cursor) ? query.cursor.value.id : undefined
      const start =
        cursorId === undefined ? 0 : chain.findIndex((e) => e.eventId === cursorId) + 1 || chain.length
      return structuredClone(chain.slice(start, start + query.limit + 1))
    }),
})
