import { deviceRepositoryContract } from './device-repository.contract'
import { inMemoryName, inMemoryPersistence } from './in-memory-persistence'

deviceRepositoryContract(inMemoryName, inMemoryPersistence)
