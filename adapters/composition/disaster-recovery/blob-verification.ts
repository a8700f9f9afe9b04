/**
 * Knows what a restore must prove before it reports success: every blob a record names (a backup, live or in
 * the trash; a restic object; a part of a resumable upload in flight) is in the restored store, with the size
 * the record gives and, where the record gives one, the SHA-256: a backup's content hash, a restic object's
 * name (restic names every file but `config` by the SHA-256 of its bytes). Blobs in an external store are
 * first written back from the backup folder; then each is read back from the store and hashed.
 * SECURITY: reports name kinds and ids, never content.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import type pg from 'pg'
import type { BlobRef, BlobStore } from '../../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../../domain/ids'
import { eachLimited, putBlob } from './blob-archive'

export type ReferenceKind = 'backup' | 'restic-object' | 'upload-part'

type Reference = BlobRef & Readonly<{ kind: ReferenceKind; sizeBytes: number; sha256: string | null }>

export type BlobProblem = Readonly<{
  kind: ReferenceKind
  accountId: string
  blobId: string
  problem: 'missing' | 'size' | 'sha256' | 'unavailable'
}>

export type Verification = Readonly<{
  verified: Readonly<Record<ReferenceKind, number>>
  bytes: number
  /** Blobs written back into an external store (0 when the database holds them). */
  written: number
  problems: ReadonlyArray<BlobProblem>
}>

type Row = {
  kind: ReferenceKind
  account_id: string
  blob_id: string
  size_bytes: string
  sha256: string | null
}

const sources: ReadonlyArray<Readonly<{ table: string; select: string }>> = [
  {
    table: 'zkeb.backups',
    select: "select 'backup' as kind, account_id, blob_id, size_bytes, sha256 from zkeb.backups",
  },
  {
    table: 'zkeb.restic_objects',
    select: `select 'restic-object', account_id, blob_id, size_bytes,
               case when type = 'config' then null else name end from zkeb.restic_objects`,
  },
  {
    table: 'zkeb.upload_parts',
    select: "select 'upload-part', account_id, blob_id, size_bytes, null from zkeb.upload_parts",
  },
]

/** The union over the tables the restored schema has (a backup made before restic or tus lacks theirs). */
const referenceQuery = async (client: pg.Client): Promise<string> => {
  const present: string[] = []
  for (const source of sources) {
    const { rows } = await client.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
      source.table,
    ])
    if (rows[0]?.found === true) present.push(source.select)
  }
  return `select * from (${present.join(' union all ')}) r
    where $1::uuid is null or (account_id, blob_id, kind) > ($1::uuid, $2::uuid, $3::text)
    order by account_id, blob_id, kind limit $4`
}

/** Keyset pages over every reference, in (account, blob, kind) order. */
const referencesAfter = async (client: pg.Client, sql: string, after: Row | undefined, limit: number) => {
  const { rows } = await client.query<Row>(sql, [
    after?.account_id ?? null,
    after?.blob_id ?? null,
    after?.kind ?? null,
    limit,
  ])
  return rows
}

const referenceOf = (row: Row): Reference => ({
  kind: row.kind,
  accountId: row.account_id as AccountId,
  blobId: row.blob_id as BlobId,
  sizeBytes: Number(row.size_bytes),
  sha256: row.sha256,
})

const measure = async (store: BlobStore, ref: BlobRef): Promise<{ bytes: number; sha256: string } | null> => {
  const hash = createHash('sha256')
  let bytes = 0
  try {
    for await (const chunk of store.read(ref.accountId, ref.blobId, undefined)) {
      hash.update(chunk)
      bytes += chunk.length
    }
  } catch {
    return null
  }
  return { bytes, sha256: hash.digest('hex') }
}

const check = async (store: BlobStore, ref: Reference): Promise<BlobProblem['problem'] | null> => {
  const found = await measure(store, ref)
  if (found === null) return 'missing'
  if (found.bytes !== ref.sizeBytes) return 'size'
  return ref.sha256 !== null && ref.sha256 !== found.sha256 ? 'sha256' : null
}

export type VerifyOptions = Readonly<{
  /** The restored store, read back through its port. */
  store: BlobStore
  /** Where the blob files of the backup are, when they must be written into `store` first; else null. */
  writeFrom: string | null
  onProgress?: (done: number) => void
}>

export const restoreAndVerifyBlobs = async (
  client: pg.Client,
  options: VerifyOptions,
): Promise<Verification> => {
  await client.query('set row_security = off') // an owner that cannot bypass it fails here, never sees nothing
  const verified: Record<ReferenceKind, number> = { backup: 0, 'restic-object': 0, 'upload-part': 0 }
  const problems: BlobProblem[] = []
  // One write per blob, shared by the records naming it (adjacent in this order, maybe checked concurrently).
  const written = new Map<string, Promise<E.Either<'missing' | 'unavailable', number>>>()
  const problem = (ref: Reference, what: BlobProblem['problem']) =>
    void problems.push({ kind: ref.kind, accountId: ref.accountId, blobId: ref.blobId, problem: what })
  let bytes = 0
  let after: Row | undefined
  const sql = await referenceQuery(client)
  for (;;) {
    const rows = await referencesAfter(client, sql, after, 200)
    await eachLimited(rows.map(referenceOf), async (ref) => {
      const key = `${ref.accountId}/${ref.blobId}`
      if (options.writeFrom !== null) {
        if (!written.has(key)) written.set(key, putBlob(options.store, options.writeFrom, ref))
        const put = await written.get(key)!
        if (E.isLeft(put)) return problem(ref, put.left)
      }
      const found = await check(options.store, ref)
      if (found !== null) return problem(ref, found)
      verified[ref.kind]++
      bytes += ref.sizeBytes
    })
    options.onProgress?.(Object.values(verified).reduce((a, b) => a + b, 0))
    if (rows.length < 200) return { verified, bytes, written: written.size, problems }
    after = rows[rows.length - 1]
  }
}
