import { accountRepositoryContract } from './account-repository.contract'
import { inMemoryName, inMemoryPersistence } from './in-memory-persistence'

accountRepositoryContract(inMemoryName, inMemoryPersistence)
