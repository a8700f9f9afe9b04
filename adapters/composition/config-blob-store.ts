/** Where backup content (ciphertext) lives (BLOB_STORE): files in a folder, the database, or an S3 bucket. */
import {
  boolean,
  bucketName,
  group,
  httpUrl,
  nonEmpty,
  oneOf,
  optional,
  setting,
  type EnvOf,
} from './env-codecs'
import type { ConfigError } from './config-errors'

export const blobStoreVariables = group('Blob storage', '', {
  BLOB_STORE: optional(
    oneOf(['postgres', 's3', 'fs'] as const),
    'Where backup content (ciphertext) lives. `fs`: one file per blob under `BLOB_DIR` (fsynced, renamed into ' +
      'place; one instance per folder, see docs/operations-blobs.md). `postgres`: in the database, as 256 KiB ' +
      'chunks (in memory with `PERSISTENCE=memory`). `s3`: in an S3-compatible bucket (AWS S3, Cloudflare R2, ' +
      'MinIO). Unset: a new embedded `DATA_DIR` takes `fs` and records it in `DATA_DIR/blob-store`; an existing ' +
      'one keeps what it records (or `postgres`); beside `DATABASE_URL`, `postgres`. ' +
      '`zkeb-admin blobs migrate --to fs|postgres` moves blobs between the folder and the database.',
    'chosen as described',
  ),
  BLOB_DIR: optional(
    nonEmpty,
    'The folder of blob files for `BLOB_STORE=fs`: a mounted volume in production (required beside ' +
      '`DATABASE_URL`).',
    '`DATA_DIR/blobs` for an embedded database',
  ),
  S3_ENDPOINT: optional(
    httpUrl,
    "`http(s)://` URL of the S3 API, for R2, MinIO or any other S3-compatible store. Unset: AWS S3's " +
      'endpoint for `S3_REGION`.',
    'AWS S3',
  ),
  S3_BUCKET: optional(
    bucketName,
    'Bucket for the blobs. Required when `BLOB_STORE=s3`. Give ZKEB a bucket of its own.',
  ),
  S3_REGION: setting(nonEmpty, 'us-east-1', "The bucket's region (`auto` for R2)."),
  S3_ACCESS_KEY_ID: optional(
    nonEmpty,
    "Access key, set together with `S3_SECRET_ACCESS_KEY`. With both unset the AWS SDK's default chain " +
      'applies (`AWS_*` variables, an instance or task role).',
    'the AWS default chain',
  ),
  S3_SECRET_ACCESS_KEY: optional(nonEmpty, 'Secret of that key. Never logged.'),
  S3_FORCE_PATH_STYLE: setting(
    boolean,
    false,
    '`true` puts the bucket in the URL path instead of the host name: MinIO and most self-hosted stores ' +
      'need it.',
  ),
})

type BlobStoreEnv = EnvOf<typeof blobStoreVariables>

export type S3Config = Readonly<{
  /** null: AWS S3's endpoint for the region. */
  endpoint: string | null
  bucket: string
  region: string
  /** null: the AWS SDK's default chain (AWS_* variables, instance or task role). */
  credentials: Readonly<{ accessKeyId: string; secretAccessKey: string }> | null
  forcePathStyle: boolean
}>

export type BlobStoreConfig = Readonly<{
  /** null: not set; blob-storage.ts chooses (a recorded or new embedded DATA_DIR, else postgres). */
  blobStore: BlobStoreEnv['BLOB_STORE']
  /** null: DATA_DIR/blobs for an embedded database; none beside DATABASE_URL. */
  blobDir: string | null
  /** null unless BLOB_STORE=s3. */
  s3: S3Config | null
}>

export const blobStoreConfig = (env: BlobStoreEnv): BlobStoreConfig => ({
  blobStore: env.BLOB_STORE,
  blobDir: env.BLOB_DIR,
  s3:
    env.BLOB_STORE === 's3' && env.S3_BUCKET !== null
      ? {
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          credentials:
            env.S3_ACCESS_KEY_ID !== null && env.S3_SECRET_ACCESS_KEY !== null
              ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
              : null,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
        }
      : null,
})

/** BLOB_STORE=s3 needs a bucket, and access keys come as a pair or not at all. */
export const blobStoreChecks = (env: BlobStoreEnv): ReadonlyArray<ConfigError> => {
  if (env.BLOB_STORE !== 's3') return []
  const problems: ConfigError[] = []
  if (env.S3_BUCKET === null)
    problems.push({ variable: 'S3_BUCKET', problem: 'is required when BLOB_STORE=s3' })
  if ((env.S3_ACCESS_KEY_ID === null) !== (env.S3_SECRET_ACCESS_KEY === null))
    problems.push({
      variable: env.S3_ACCESS_KEY_ID === null ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      problem: 'must be set together with its pair (or both left unset for the AWS default credentials)',
    })
  return problems
}
