import { inMemoryName } from './in-memory-persistence'
import { snapshotKeyRepositoryContract } from './snapshot-key-repository.contract'
import { inMemorySnapshots } from './snapshot-persistence'

snapshotKeyRepositoryContract(inMemoryName, inMemorySnapshots)
