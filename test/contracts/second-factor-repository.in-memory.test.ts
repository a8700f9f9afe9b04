import { inMemoryName } from './in-memory-persistence'
import { secondFactorRepositoryContract } from './second-factor-repository.contract'
import { inMemorySnapshots } from './snapshot-persistence'

secondFactorRepositoryContract(inMemoryName, inMemorySnapshots)
