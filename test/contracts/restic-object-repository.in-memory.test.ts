import { inMemoryName } from './in-memory-persistence'
import { inMemoryRestic } from './restic-persistence'
import { resticObjectRepositoryContract } from './restic-object-repository.contract'

resticObjectRepositoryContract(inMemoryName, inMemoryRestic)
