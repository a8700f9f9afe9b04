import { blobStoreContract } from './blob-store.contract'
import { knexBlobs, knexName } from './knex-persistence'

blobStoreContract(knexName, knexBlobs)
