/**
 * What a raw one-shot upload (PUT /api/v1/backups/{id}/content) needs to be accepted: an account with a
 * registered device (made through the real SDK), its bearer token, and the ZKEB-* headers signed by that
 * device for given content. The content itself is whatever bytes the caller streams: the server stores
 * ciphertext it cannot read, so large test bodies need not be encrypted, only hashed and signed.
 */
import { randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { encryptMetadata, generateDek, signUpload, wrapDek } from '../../client/crypto'
import { b64, sha256Hex } from '../../client/sdk/encoding'
import { login, register, registerDevice, type FetchLike, type Session } from '../../client/sdk'
import type { BackupId, Sha256Hex } from '../../domain/ids'
import { aPassword, aUsername, optionsFor, right } from '../client/sdk/sdk-kit'

export type OneShotUploader = Readonly<{
  /** `Bearer …` of the logged-in session (short-lived: take it again for a long run). */
  authorization: () => string
  /** Every header of the PUT but Authorization, for a fresh backup id. */
  headersFor: (content: Readonly<{ sha256: string; sizeBytes: number }>) => Promise<UploadRequest>
}>

export type UploadRequest = Readonly<{ backupId: string; headers: Record<string, string | number> }>

const signedHeaders = async (session: Session, content: Readonly<{ sha256: string; sizeBytes: number }>) => {
  const device = session.device!
  const backupId = randomUUID() as BackupId
  const sealed = await encryptMetadata(session.keys.mek, backupId, {
    name: 'large.bin',
    size: content.sizeBytes,
    mtime: '2026-01-01T00:00:00.000Z',
    type: 'application/octet-stream',
    tags: [],
  })
  if (E.isLeft(sealed)) throw new Error('metadata too large')
  const metadata = sealed.right
  const signature = await signUpload(device.privateKey, {
    backupId,
    contentSha256: content.sha256 as Sha256Hex,
    sizeBytes: content.sizeBytes,
    metadataSha256: sha256Hex(metadata) as Sha256Hex,
    parentId: O.none,
  })
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': content.sizeBytes,
    'ZKEB-Device-Id': device.deviceId,
    'ZKEB-Content-SHA256': content.sha256,
    'ZKEB-Signature': b64(signature),
    'ZKEB-Wrapped-Key': b64(await wrapDek(session.keys.bkk, generateDek(), backupId)),
    'ZKEB-Metadata': b64(metadata),
  }
  return { backupId, headers }
}

/** Registers a user and a device on the server at `base`, and remembers the bearer token the SDK sends. */
export const aOneShotUploader = async (base: string): Promise<OneShotUploader> => {
  let authorization = ''
  const recording: FetchLike = (url, init) => {
    const sent = new Headers(init.headers).get('Authorization')
    if (sent !== null) authorization = sent
    return fetch(url, init)
  }
  const options = optionsFor({ base }, { fetch: recording })
  const username = aUsername()
  const password = aPassword()
  right(await register(options, { username, password }))
  const { session } = right(await registerDevice(right(await login(options, { username, password })), 'big'))
  return {
    authorization: () => authorization,
    headersFor: (content) => signedHeaders(session, content),
  }
}
