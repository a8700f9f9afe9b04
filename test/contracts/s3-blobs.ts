/** The S3 adapter over a bucket of its own in the shared s3rver (test/support/s3rver.ts). */
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { s3BlobStore, type S3BlobStoreSettings } from '../../adapters/blobs/s3/s3-blob-store'
import { s3ForTest } from '../support/s3rver'
import type { BlobStoreHarness } from './harness'

export const s3Name = 'S3, s3rver'

/** Every key in the bucket, page by page (the continuation token path included). */
export const keysIn = async (client: S3Client, bucket: string): Promise<string[]> => {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])))
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return keys
}

export const s3Blobs = async (
  settings: Partial<Omit<S3BlobStoreSettings, 'client' | 'bucket'>> = {},
): Promise<BlobStoreHarness & { client: S3Client; bucket: string }> => {
  const { client, bucket } = await s3ForTest()
  return {
    client,
    bucket,
    blobs: s3BlobStore({ ...settings, client, bucket }),
    givenAccount: () => Promise.resolve(),
    reset: async () => {
      for (const key of await keysIn(client, bucket))
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },
    close: () => Promise.resolve(client.destroy()),
  }
}
