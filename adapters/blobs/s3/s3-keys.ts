/** Knows how blobs are named in the bucket: `<accountId>/<blobId>`, so an account is one prefix. */
import * as E from 'fp-ts/Either'
import type { BlobRef } from '../../../application/ports/blob-store'
import { AccountId, BlobId } from '../../../domain/ids'

export const objectKey = (accountId: AccountId, blobId: BlobId): string => `${accountId}/${blobId}`

export const accountPrefix = (accountId: AccountId): string => `${accountId}/`

/** The blob a key names, or undefined for any other object (never collected, never reported). */
export const blobOfKey = (key: string): BlobRef | undefined => {
  const [account, blob, ...rest] = key.split('/')
  if (rest.length > 0) return undefined
  const accountId = AccountId.decode(account)
  const blobId = BlobId.decode(blob)
  return E.isRight(accountId) && E.isRight(blobId)
    ? { accountId: accountId.right, blobId: blobId.right }
    : undefined
}
