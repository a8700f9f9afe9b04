import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { decodeBase64Url, encodeBase64Url } from '../../domain/base64url'
import { type Device, ensureActive } from '../../domain/device'
import {
  badSignature,
  deviceNotFound,
  invalidProtocolMessage,
  type InvalidProtocolMessage,
} from '../../domain/errors'
import type { Ed25519Signature } from '../../domain/ids'
import {
  isSameSnapshot,
  MISSING_IDS_LISTED,
  type SnapshotMetadata,
  type SnapshotRecord,
} from '../../domain/snapshot'
import { refsMissing, snapshotExists } from '../../domain/snapshot-errors'
import { refCountOf, refsAreCanonical } from '../../domain/snapshot-refs'
import { snapshotSigningDigestBytes } from '../../domain/snapshot-signing'
import type { AccountTransaction } from '../ports/unit-of-work'
import type {
  CreateSnapshot,
  CreateSnapshotDeps,
  CreateSnapshotError,
  CreateSnapshotInput,
  CreateSnapshotOutput,
} from './create-snapshot-input'
import type { Caller } from '../context'

/** Base64url has spare bits: the canonical form of the bytes is what is compared and stored. */
const canonical = <A extends string>(b64: A): A => encodeBase64Url(decodeBase64Url(b64)) as A

/** The record this request would create (its receive time is set at commit), once the refs are canonical. */
const candidateOf = (deps: CreateSnapshotDeps, input: CreateSnapshotInput, caller: Caller) => {
  const valid = refCountOf(input.refs) === input.refCount && refsAreCanonical(input.refs)
  if (!valid) return E.left<InvalidProtocolMessage>(invalidProtocolMessage('refs'))
  return E.right({
    accountId: caller.accountId,
    snapshotId: input.snapshotId,
    seriesId: input.seriesId,
    deviceId: input.deviceId,
    encryptedMetadata: canonical<SnapshotMetadata>(input.encryptedMetadata),
    signature: canonical<Ed25519Signature>(input.signature),
    refCount: input.refCount,
    refsSha256: deps.hasher.sha256Hex(input.refs),
  })
}
type Candidate = Omit<SnapshotRecord, 'receivedAt'>

const signatureHolds = (deps: CreateSnapshotDeps, device: Device, c: Candidate): boolean =>
  deps.signatures.verifyEd25519(
    device.publicKey,
    snapshotSigningDigestBytes({
      snapshotId: c.snapshotId,
      seriesId: c.seriesId,
      metadataSha256: deps.hasher.sha256Hex(decodeBase64Url(c.encryptedMetadata)),
      refsSha256: c.refsSha256,
      refCount: c.refCount,
    }),
    c.signature,
  )

/** The signing device: the account's, unrevoked, and its key verifies the signature. */
const signer = (deps: CreateSnapshotDeps, tx: AccountTransaction, c: Candidate) =>
  pipe(
    tx.devices.find(c.accountId, c.deviceId),
    TE.flatMap(TE.fromOption(() => deviceNotFound(c.deviceId))),
    TE.flatMapEither(ensureActive),
    TE.filterOrElseW(
      (device) => signatureHolds(deps, device, c),
      () => badSignature,
    ),
  )

/** Every ref held, then the record, the device's last-seen time and the audit event. */
const insertNew = (
  deps: CreateSnapshotDeps,
  tx: AccountTransaction,
  c: Candidate,
  refs: Uint8Array,
  caller: Caller,
): TE.TaskEither<CreateSnapshotError, CreateSnapshotOutput> =>
  pipe(
    tx.snapshotObjects.missing(c.accountId, refs, MISSING_IDS_LISTED),
    TE.filterOrElseW(
      (missing) => missing.count === 0,
      (missing) => refsMissing(missing.ids, missing.count),
    ),
    TE.map((): SnapshotRecord => ({ ...c, receivedAt: deps.clock.now() })),
    TE.tap((record) => tx.snapshots.insert(record, refs)),
    TE.tap((record) => tx.devices.markSeen(c.accountId, c.deviceId, record.receivedAt)),
    TE.tap((record) =>
      tx.audit.append(
        {
          accountId: c.accountId,
          type: 'snapshot-created',
          deviceId: c.deviceId,
          requestId: caller.requestId,
        },
        record.receivedAt,
      ),
    ),
    TE.map((record) => ({ record, created: true })),
  )

export const createSnapshot =
  (deps: CreateSnapshotDeps): CreateSnapshot =>
  (input, caller) =>
    pipe(
      TE.fromEither(candidateOf(deps, input, caller)),
      TE.flatMap((c) =>
        deps.unitOfWork.inAccount(caller.accountId, (tx) =>
          pipe(
            tx.snapshots.lockCollector(caller.accountId),
            TE.flatMap(() => signer(deps, tx, c)),
            TE.flatMap(() => tx.snapshots.find(caller.accountId, c.snapshotId)),
            TE.flatMap(
              O.match(
                () => insertNew(deps, tx, c, input.refs, caller),
                (stored): TE.TaskEither<CreateSnapshotError, CreateSnapshotOutput> =>
                  isSameSnapshot(stored, c)
                    ? TE.right({ record: stored, created: false })
                    : TE.left(snapshotExists(c.snapshotId)),
              ),
            ),
          ),
        ),
      ),
    )
