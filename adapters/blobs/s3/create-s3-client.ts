/**
 * Knows how to configure the S3 client for any S3-compatible store (AWS S3, Cloudflare R2, MinIO, s3rver).
 * SECURITY: the credentials go to the client only; nothing here logs them.
 */
import { S3Client } from '@aws-sdk/client-s3'

export type S3Connection = Readonly<{
  /** null: AWS S3's own endpoint for `region`. */
  endpoint: string | null
  region: string
  /** null: the SDK's default chain (AWS_* variables, shared config, instance or task role). */
  credentials: Readonly<{ accessKeyId: string; secretAccessKey: string }> | null
  /** `bucket` in the path, not the host name: MinIO and most self-hosted stores need it. */
  forcePathStyle: boolean
}>

export const createS3Client = (c: S3Connection): S3Client =>
  new S3Client({
    ...(c.endpoint === null ? {} : { endpoint: c.endpoint }),
    region: c.region,
    ...(c.credentials === null ? {} : { credentials: { ...c.credentials } }),
    forcePathStyle: c.forcePathStyle,
    // The SDK's default (WHEN_SUPPORTED) sends streamed bodies with aws-chunked framing and a trailing
    // checksum; stores that do not speak it (s3rver, older MinIO, some gateways) keep the framing inside the
    // object. Integrity is end to end anyway: the SHA-256 of the whole is checked before a backup commits.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  })
