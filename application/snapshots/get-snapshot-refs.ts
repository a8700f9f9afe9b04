import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { ObjectId, SnapshotId, SnapshotRecord } from '../../domain/snapshot'
import type { SnapshotNotFound } from '../../domain/snapshot-errors'
import { REF_BYTES, refCountOf, refIdAt } from '../../domain/snapshot-refs'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { getSnapshot, type SnapshotRef } from './get-snapshot'

export type SnapshotRefsOutput = Readonly<{
  record: SnapshotRecord
  /** refCount × 32 bytes. */
  contentLength: number
  content: AsyncIterable<Uint8Array>
}>
/**
 * The snapshot's refs (32 bytes each, sorted) as a stream of known length, read a page at a time, each page in
 * a short transaction of its own: refs never change while their snapshot exists, and a reader gets at most a
 * few MB in memory however many refs there are. A snapshot forgotten meanwhile ends the stream early (throws).
 */
export type GetSnapshotRefs = (
  input: SnapshotRef,
  caller: Caller,
) => TE.TaskEither<SnapshotNotFound | Unavailable, SnapshotRefsOutput>
export type GetSnapshotRefsDeps = Pick<Ports, 'unitOfWork'>

/** 100,000 refs: 3.2 MB a page. */
const pageRefs = 100_000

async function* refsBody(
  deps: GetSnapshotRefsDeps,
  accountId: AccountId,
  snapshotId: SnapshotId,
  refCount: number,
): AsyncGenerator<Uint8Array> {
  let after: O.Option<ObjectId> = O.none
  for (let sent = 0; sent < refCount;) {
    const page = await deps.unitOfWork.inAccount(accountId, (tx) =>
      tx.snapshots.refs(accountId, snapshotId, after, pageRefs),
    )()
    if (E.isLeft(page)) throw new Error('refs unavailable', { cause: page.left.cause })
    const count = refCountOf(page.right)
    if (count === 0 || sent + count > refCount) throw new Error('refs changed while they were read')
    yield page.right
    sent += count
    after = O.some(refIdAt(page.right, count - 1))
  }
}

export const getSnapshotRefs =
  (deps: GetSnapshotRefsDeps): GetSnapshotRefs =>
  (input, caller) =>
    pipe(
      getSnapshot(deps)(input, caller),
      TE.map((record) => ({
        record,
        contentLength: record.refCount * REF_BYTES,
        content: refsBody(deps, caller.accountId, record.snapshotId, record.refCount),
      })),
    )
