/**
 * What the records say each blob must be, so that a blob moved between stores can be verified before its old
 * copy goes. A blob no record names (an orphan for the collector) has no entry.
 * Implementation: adapters/persistence/knex/knex-blob-records.ts (maintenance only: every account).
 */
import type { BlobRef } from './blob-store'

/** `sha256` is null where the record states only a size (an upload part, a restic `config`). */
export type ExpectedBlob = Readonly<{ sizeBytes: number; sha256: string | null }>

/** The expectations for `refs` that some record states, keyed by `blobKey`. */
export type BlobRecords = (refs: ReadonlyArray<BlobRef>) => Promise<ReadonlyMap<string, ExpectedBlob>>

export const blobKey = (ref: BlobRef): string => `${ref.accountId}/${ref.blobId}`
