/**
 * Knows how ZKEB talks to PostgreSQL beneath knex's query builder: account-scoped transactions (BEGIN and the
 * account's set_config in one round trip), one account-scoped select in one round trip, binary COPY out of a
 * scoped transaction, and blob chunks inserted in batches on a transaction's own connection.
 * These lean on knex's and pg's internals (a subclass of knex's PostgreSQL transaction, pg's Query.prepare,
 * pg/lib/utils); the tests in test/adapters/persistence/pg-session/ fail when an upgrade of either changes them.
 * The repositories and the blob store reach PostgreSQL through this surface, never through its files.
 */
export { accountScopedPgClient } from './account-scoped-client'
export { binaryCopyFields } from './binary-copy-fields'
export { type ChunkWriter, chunkWriter } from './chunk-batches'
export { copyOutAsAccount } from './copy-out-as-account'
export { readAsAccount } from './scoped-read'
export { accountTransaction, query, withAccount } from './with-account'
