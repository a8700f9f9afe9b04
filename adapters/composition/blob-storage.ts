/**
 * Knows how to open the blob store BLOB_STORE names before wiring: nothing for `postgres` (chunks in the
 * database); for `s3`, a client whose bucket must answer HeadBucket at start, so a wrong endpoint, bucket or
 * key stops the start with one clear line instead of failing every upload.
 * SECURITY: credentials go to the client only; messages name the bucket and endpoint, never a key.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import * as E from 'fp-ts/Either'
import { createS3Client } from '../blobs/s3/create-s3-client'
import { s3ReadinessProbe } from '../blobs/s3/s3-blob-store'
import type { Config } from './config'
import { StartupError } from './startup-error'

/** Which blob store the runtime prepared: for `s3`, a client it owns and closes. */
export type BlobStoreChoice =
  Readonly<{ kind: 'postgres' }> | Readonly<{ kind: 's3'; client: S3Client; bucket: string }>

export type OpenBlobStore = Readonly<{ choice: BlobStoreChoice; close: () => Promise<void> }>

const describeError = (e: unknown): string =>
  e instanceof Error ? (e.name !== 'Error' ? e.name : e.message) : 'unknown error'

export const openBlobStore = async (config: Config): Promise<OpenBlobStore> => {
  if (config.blobStore === 'postgres' || config.s3 === null)
    return { choice: { kind: 'postgres' }, close: () => Promise.resolve() }
  const { bucket, endpoint } = config.s3
  const client = createS3Client(config.s3)
  const answered = await s3ReadinessProbe(client, bucket).check()()
  if (E.isLeft(answered)) {
    client.destroy()
    const where = endpoint === null ? `AWS S3 (${config.s3.region})` : new URL(endpoint).host
    throw new StartupError(
      `S3 bucket ${bucket} at ${where} (S3_BUCKET, S3_ENDPOINT) does not answer: ${describeError(answered.left.cause)}`,
    )
  }
  return { choice: { kind: 's3', client, bucket }, close: () => Promise.resolve(client.destroy()) }
}
