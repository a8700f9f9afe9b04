/** Knows how to keep the hash-chained audit trail in PostgreSQL (table zkeb.audit_events, append-only). */
import { createHash, randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable } from '../../../application/errors'
import type { AuditRepository } from '../../../application/ports/audit-repository'
import { type AuditDraft, auditCanonicalBytes, type AuditEvent, genesisHash } from '../../../domain/audit'
import type { EventId, Sha256Hex } from '../../../domain/ids'
import { type AccountAccess, type AccountLock, ownTransactions } from './account-access'
import { decodeAll, decodeAuditEvent } from './row-codecs'

const sha256Hex = (bytes: Uint8Array): Sha256Hex =>
  createHash('sha256').update(bytes).digest('hex') as Sha256Hex

/**
 * Links the event to the account's last one. The transaction holds the account row's lock, so appends of one
 * account run one at a time and never read the same predecessor (the unique (account_id, prev_hash) would
 * refuse a fork).
 */
const linkToChain = async (trx: Knex.Transaction, draft: AuditDraft, at: Date): Promise<AuditEvent> => {
  const [last] = await trx('zkeb.audit_events')
    .where({ account_id: draft.accountId })
    .orderBy('seq', 'desc')
    .limit(1)
    .select<Array<{ seq: number; hash: Sha256Hex }>>('seq', 'hash')
  const unhashed = { ...draft, eventId: randomUUID() as EventId, at, prevHash: last?.hash ?? genesisHash }
  const event: AuditEvent = { ...unhashed, hash: sha256Hex(auditCanonicalBytes(unhashed)) }
  await trx('zkeb.audit_events').insert({
    account_id: event.accountId,
    seq: (last?.seq ?? 0) + 1,
    event_id: event.eventId,
    type: event.type,
    at: event.at,
    device_id: event.deviceId,
    request_id: event.requestId,
    prev_hash: event.prevHash,
    hash: event.hash,
  })
  return event
}

/** Locks the account row unless the transaction already holds it (QuotaLedger.lock), then links the event. */
const appendInTransaction = async (trx: Knex.Transaction, lock: AccountLock, draft: AuditDraft, at: Date) => {
  if (!lock.held) {
    const [account] = await trx('zkeb.accounts')
      .where({ account_id: draft.accountId })
      .forNoKeyUpdate()
      .select<Array<{ account_id: string }>>('account_id')
    if (account === undefined) return E.left(unavailable('postgres')(new Error('account not found')))
    lock.held = true
  }
  return E.right(await linkToChain(trx, draft, at))
}

/**
 * Over either way of reaching PostgreSQL (account-access.ts). A cursor naming no event of the account yields
 * an empty page: events are never removed one by one.
 */
export const auditIn = (access: AccountAccess): AuditRepository => ({
  append: (draft, at) =>
    pipe(
      access.run(draft.accountId, (trx, lock) => appendInTransaction(trx, lock, draft, at)),
      TE.flatMapEither((result) => result),
    ),
  list: (accountId, { limit, cursor }) =>
    pipe(
      access.run(accountId, (trx) => {
        const rows = trx('zkeb.audit_events').where({ account_id: accountId })
        if (O.isSome(cursor))
          rows.where(
            'seq',
            '>',
            trx('zkeb.audit_events')
              .where({ account_id: accountId, event_id: cursor.value.id })
              .select('seq'),
          )
        return rows
          .orderBy('seq')
          .limit(limit + 1)
          .select('*')
      }),
      TE.flatMapEither(decodeAll(decodeAuditEvent)),
    ),
})

export const knexAuditRepository = (knex: Knex): AuditRepository => auditIn(ownTransactions(knex))
