/**
 * Knows what the records say each blob must be (the BlobRecords port), to verify a blob moved between stores: a backup's content
 * (size and SHA-256), a restic object (size; its name is the SHA-256 of its bytes, checked when it was stored,
 * except for `config`), a resumable upload's part (size only), a snapshot pack (size and SHA-256). Read per account under row-level security, the
 * way every account-scoped query runs. A blob no record names (an orphan for the collector) has no entry.
 * SECURITY: returns sizes and content hashes the server already holds; nothing is decrypted or logged.
 */
import type { Knex } from 'knex'
import type { BlobRecords, ExpectedBlob } from '../../../application/ports/blob-records'
import type { AccountId } from '../../../domain/ids'
import { accountTransaction } from '../pg-session'

type Row = { blob_id: string; size_bytes: string; sha256: string | null }

const recordsOf = `
  select blob_id, size_bytes, sha256 from zkeb.backups where account_id = ? and blob_id = any(?::uuid[])
  union all
  select blob_id, size_bytes, case when type = 'config' then null else name end
    from zkeb.restic_objects where account_id = ? and blob_id = any(?::uuid[])
  union all
  select blob_id, size_bytes, null from zkeb.upload_parts where account_id = ? and blob_id = any(?::uuid[])
  union all
  select blob_id, size_bytes, sha256 from zkeb.snapshot_packs where account_id = ? and blob_id = any(?::uuid[])`

export const knexBlobRecords =
  (knex: Knex): BlobRecords =>
  async (refs) => {
    const byAccount = new Map<AccountId, string[]>()
    for (const ref of refs)
      byAccount.set(ref.accountId, [...(byAccount.get(ref.accountId) ?? []), ref.blobId])
    const found = new Map<string, ExpectedBlob>()
    for (const [accountId, blobIds] of byAccount) {
      const { rows } = await accountTransaction(knex, accountId, (trx) =>
        trx.raw<{ rows: Row[] }>(recordsOf, [
          accountId,
          blobIds,
          accountId,
          blobIds,
          accountId,
          blobIds,
          accountId,
          blobIds,
        ]),
      )
      for (const row of rows) {
        const key = `${accountId}/${row.blob_id}`
        if (!found.has(key)) found.set(key, { sizeBytes: Number(row.size_bytes), sha256: row.sha256 })
      }
    }
    return found
  }
