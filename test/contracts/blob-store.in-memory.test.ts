import { blobStoreContract } from './blob-store.contract'
import { inMemoryBlobs, inMemoryName } from './in-memory-persistence'

blobStoreContract(inMemoryName, inMemoryBlobs)
