import { blobStoreContract } from './blob-store.contract'
import { s3Blobs, s3Name } from './s3-blobs'

blobStoreContract(s3Name, () => s3Blobs())
