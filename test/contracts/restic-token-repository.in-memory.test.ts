import { inMemoryName } from './in-memory-persistence'
import { inMemoryRestic } from './restic-persistence'
import { resticTokenRepositoryContract } from './restic-token-repository.contract'

resticTokenRepositoryContract(inMemoryName, inMemoryRestic)
