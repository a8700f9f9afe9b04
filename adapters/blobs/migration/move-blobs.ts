/**
 * Knows how to move every blob from one store to another, one blob at a time, so that at every moment each
 * blob is wholly readable from at least one of them: copy (the target's write is atomic), read the copy back
 * and check it against the source's bytes and against the records (the BlobRecords port), and only then delete
 * the source's copy. A run killed at any point is resumed by running again: whatever is still in the source is
 * moved, and a copy left in the target by the killed run is replaced first. A blob whose source bytes do not
 * match its record is left where it is and reported; one that cannot be read or written now is reported as
 * failed and retried by the next run. Memory stays at one blob's stream, whatever the sizes.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { BlobRef, BlobStore } from '../../../application/ports/blob-store'
import { unavailable, type Unavailable } from '../../../application/errors'
import { drain, opened } from './first-chunk'
import { blobKey, type BlobRecords, type ExpectedBlob } from '../../../application/ports/blob-records'

export type MoveProgress = Readonly<{
  moved: number
  movedBytes: number
  /** Source bytes that differ from their record: left in the source, never copied. */
  mismatched: ReadonlyArray<BlobRef>
  /** Could not be moved now (unreadable, a copy that read back wrong, a store that failed): run again. */
  failed: ReadonlyArray<BlobRef>
  /** Unreadable and named by no record: writes still arriving or cut off by a crash; the collector's. */
  unfinished: number
  /** The target has no room: the run stopped. */
  targetFull: boolean
}>

export type MoveSettings = Readonly<{
  from: BlobStore
  to: BlobStore
  records: BlobRecords
  /** Pause after each blob, to leave the disks and the database to a server that keeps serving. */
  throttleMs?: number
  pageSize?: number
  onProgress?: (progress: MoveProgress) => void
}>

type Digest = Readonly<{ sha256: string; sizeBytes: number }>

/** Passes `chunks` through while hashing and counting them; `digest` is final once they are consumed. */
const hashing = (chunks: AsyncIterable<Uint8Array>) => {
  const hash = createHash('sha256')
  let sizeBytes = 0
  let sha256: string | undefined
  async function* pass(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      hash.update(chunk)
      sizeBytes += chunk.length
      yield chunk
    }
    sha256 = hash.digest('hex')
  }
  return {
    chunks: pass(),
    digest: (): Digest | undefined => (sha256 === undefined ? undefined : { sha256, sizeBytes }),
  }
}

const digestOf = async (chunks: AsyncIterable<Uint8Array>): Promise<Digest> => {
  const hashed = hashing(chunks)
  for await (const _ of hashed.chunks);
  return hashed.digest()!
}

const run = async <A>(task: TE.TaskEither<Unavailable, A>): Promise<E.Either<Unavailable, A>> => task()

type Outcome = 'moved' | 'mismatched' | 'failed' | 'unfinished' | 'target-full'

const matches = (digest: Digest, expected: ExpectedBlob | undefined): boolean =>
  expected === undefined ||
  (expected.sizeBytes === digest.sizeBytes && (expected.sha256 === null || expected.sha256 === digest.sha256))

/** Moves one blob; the source's copy is deleted only once the target's reads back identical and as recorded. */
const moveOne = async (
  s: MoveSettings,
  ref: BlobRef,
  expected: ExpectedBlob | undefined,
): Promise<{ outcome: Outcome; bytes: number }> => {
  const { accountId, blobId } = ref
  const start = await opened(s.from.read(accountId, blobId)).catch(() => undefined)
  if (start === undefined) return { outcome: expected === undefined ? 'unfinished' : 'failed', bytes: 0 }
  if (E.isLeft(await run(s.to.delete(accountId, blobId)))) {
    await start.rest.return?.()
    return { outcome: 'failed', bytes: 0 }
  }
  const source = hashing(drain(start))
  const written = await run(s.to.write(accountId, blobId, source.chunks))
  const sent = source.digest()
  if (E.isLeft(written) || sent === undefined)
    return { outcome: E.isLeft(written) && written.left.full === true ? 'target-full' : 'failed', bytes: 0 }
  const copy = await digestOf(s.to.read(accountId, blobId)).catch(() => undefined)
  const outcome: Outcome =
    copy === undefined || copy.sha256 !== sent.sha256 || copy.sizeBytes !== sent.sizeBytes
      ? 'failed'
      : matches(sent, expected)
        ? 'moved'
        : 'mismatched'
  if (outcome !== 'moved') {
    await run(s.to.delete(accountId, blobId))
    return { outcome, bytes: 0 }
  }
  return E.isLeft(await run(s.from.delete(accountId, blobId)))
    ? { outcome: 'failed', bytes: 0 }
    : { outcome, bytes: sent.sizeBytes }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Moves every blob the source holds (written before the run began: later ones are the server's, going to the
 * target already) in (account, blob) order; returns the totals. Left only when the source cannot be listed.
 */
export const moveBlobs = async (s: MoveSettings): Promise<E.Either<Unavailable, MoveProgress>> => {
  const cutoff = new Date()
  const pageSize = s.pageSize ?? 100
  let progress: MoveProgress = {
    moved: 0,
    movedBytes: 0,
    mismatched: [],
    failed: [],
    unfinished: 0,
    targetFull: false,
  }
  let after: O.Option<BlobRef> = O.none
  for (;;) {
    const page = await run(s.from.listOlderThan(cutoff, after, pageSize))
    if (E.isLeft(page)) return page
    const records = await s
      .records(page.right)
      .then(E.right, (e: unknown) => E.left(unavailable('postgres')(e)))
    if (E.isLeft(records)) return records
    for (const ref of page.right) {
      const { outcome, bytes } = await moveOne(s, ref, records.right.get(blobKey(ref)))
      progress = {
        moved: progress.moved + (outcome === 'moved' ? 1 : 0),
        movedBytes: progress.movedBytes + bytes,
        mismatched: outcome === 'mismatched' ? [...progress.mismatched, ref] : progress.mismatched,
        failed: outcome === 'failed' ? [...progress.failed, ref] : progress.failed,
        unfinished: progress.unfinished + (outcome === 'unfinished' ? 1 : 0),
        targetFull: outcome === 'target-full',
      }
      s.onProgress?.(progress)
      if (progress.targetFull) return E.right(progress)
      if ((s.throttleMs ?? 0) > 0) await pause(s.throttleMs!)
    }
    if (page.right.length < pageSize) return E.right(progress)
    after = O.some(page.right[page.right.length - 1]!)
  }
}
