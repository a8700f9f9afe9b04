/**
 * Knows how a backup is pushed: content encrypted in segments under a fresh DEK, metadata under the MEK, the
 * DEK wrapped under the BKK, everything bound to a client-chosen backup id and signed by this device.
 *
 * The signature covers SHA-256 of the ciphertext, which must be known before the body is sent. Encryption is
 * deterministic once the DEK and the nonce prefix are fixed, so the source is read twice: the first pass hashes
 * and measures the ciphertext, the second streams it. Memory stays at one segment either way. A source that
 * changes between the passes is refused by the server (422 content-hash-mismatch) and nothing is stored.
 */
import * as O from 'fp-ts/Option'
import * as E from 'fp-ts/Either'
import {
  encryptMetadata,
  encryptSegments,
  encryptedLength,
  generateDek,
  NONCE_PREFIX_BYTES,
  secureRandomBytes,
  signUpload,
  wrapDek,
  type BackupMetadata,
  type ByteSource,
  type Dek,
} from '../crypto'
import type { BackupId, Sha256Hex } from '../../domain/ids'
import { b64, sha256Hex, streamHash } from './encoding'
import { attempt, badResponse, fail, invalidArgument, metadataTooLarge, type SdkError } from './errors'
import type { Session } from './session'
import { counted, toReadableStream } from './streams'
import type { BackupSummary } from './wire'

export type TransferProgress = Readonly<{
  phase: 'hash' | 'upload' | 'download'
  bytes: number
  total: number
}>

export type PushInput = Readonly<{
  /** Called once per pass (twice); each call must yield the same bytes from the start. */
  source: () => ByteSource
  metadata: BackupMetadata
  parentId?: string
  /** A UUIDv4; a fresh one by default. Pushing again with the same id and bytes is an idempotent retry. */
  backupId?: string
  onProgress?: (progress: TransferProgress) => void
}>

export const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The ciphertext of one push; every call yields the same bytes for the same source. */
export const ciphertextOf = (dek: Dek, backupId: BackupId, noncePrefix: Uint8Array, source: ByteSource) =>
  encryptSegments(dek, backupId, source, { random: () => noncePrefix })

type Measured = Readonly<{ sha256: Sha256Hex; sizeBytes: number }>

export const measure = async (
  ciphertext: AsyncIterable<Uint8Array>,
  total: number,
  onProgress: PushInput['onProgress'],
): Promise<Measured> => {
  const hash = streamHash()
  let sizeBytes = 0
  for await (const chunk of ciphertext) {
    hash.update(chunk)
    sizeBytes += chunk.length
    onProgress?.({ phase: 'hash', bytes: sizeBytes, total })
  }
  return { sha256: hash.hex() as Sha256Hex, sizeBytes }
}

/** A push prepared and signed: the DEK stays with the caller, who zeroes it once the body has been sent. */
export type PreparedUpload = Readonly<{
  backupId: BackupId
  dek: Dek
  noncePrefix: Uint8Array
  measured: Measured
  /** What the server verifies: api-v1's ZKEB-* headers, or the tus Upload-Metadata of a resumable push. */
  described: UploadDescription
}>

export type UploadDescription = Readonly<{
  deviceId: string
  contentSha256: Sha256Hex
  signature: string
  wrappedKey: string
  encryptedMetadata: string
  parentId?: string
}>

/**
 * The first pass of every push, one-shot or resumable: a fresh DEK and nonce prefix, the ciphertext hashed and
 * measured, the metadata encrypted, the DEK wrapped under the BKK and the whole signed by this device.
 */
export const prepareUpload = async (session: Session, input: PushInput): Promise<PreparedUpload> => {
  const device = session.device ?? fail(invalidArgument('device (register this device first)'))
  const backupId = (input.backupId ?? globalThis.crypto.randomUUID()) as BackupId
  if (!uuidV4.test(backupId)) return fail(invalidArgument('backup id'))
  const dek = generateDek()
  const noncePrefix = secureRandomBytes(NONCE_PREFIX_BYTES)
  const total = encryptedLength(input.metadata.size)
  const measured = await measure(
    ciphertextOf(dek, backupId, noncePrefix, input.source()),
    total,
    input.onProgress,
  )
  const metadata = await encryptMetadata(session.keys.mek, backupId, input.metadata)
  if (E.isLeft(metadata)) return fail(metadataTooLarge)
  const signature = await signUpload(device.privateKey, {
    backupId,
    contentSha256: measured.sha256,
    sizeBytes: measured.sizeBytes,
    metadataSha256: sha256Hex(metadata.right) as Sha256Hex,
    parentId: O.fromNullable(input.parentId as BackupId | undefined),
  })
  const described = {
    deviceId: device.deviceId,
    contentSha256: measured.sha256,
    signature: b64(signature),
    wrappedKey: b64(await wrapDek(session.keys.bkk, dek, backupId)),
    encryptedMetadata: b64(metadata.right),
    ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
  }
  return { backupId, dek, noncePrefix, measured, described }
}

/** Encrypts, signs and uploads one backup; resolves to the server's summary of what it stored. */
export const push = (session: Session, input: PushInput): Promise<E.Either<SdkError, BackupSummary>> =>
  attempt(async () => {
    const { backupId, dek, noncePrefix, measured, described } = await prepareUpload(session, input)
    const body = () =>
      toReadableStream(
        counted(ciphertextOf(dek, backupId, noncePrefix, input.source()), (bytes) =>
          input.onProgress?.({ phase: 'upload', bytes, total: measured.sizeBytes }),
        ),
      )
    const stored = await session.http.uploadBackup(backupId, described, body)
    dek.fill(0)
    if (stored.sha256 !== measured.sha256 || stored.sizeBytes !== measured.sizeBytes)
      return fail(badResponse(200, 'the stored hash or size differs from what was sent'))
    return stored
  })
