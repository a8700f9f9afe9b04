import { inMemoryName } from './in-memory-persistence'
import { snapshotRepositoryContract } from './snapshot-repository.contract'
import { inMemorySnapshots } from './snapshot-persistence'

snapshotRepositoryContract(inMemoryName, inMemorySnapshots)
