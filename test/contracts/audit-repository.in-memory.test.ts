import { auditRepositoryContract } from './audit-repository.contract'
import { inMemoryName, inMemoryPersistence } from './in-memory-persistence'

auditRepositoryContract(inMemoryName, inMemoryPersistence)
