import { backupRepositoryContract } from './backup-repository.contract'
import { inMemoryName, inMemoryPersistence } from './in-memory-persistence'

backupRepositoryContract(inMemoryName, inMemoryPersistence)
