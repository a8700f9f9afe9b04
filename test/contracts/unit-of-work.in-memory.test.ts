import { inMemoryName } from './in-memory-persistence'
import { unitOfWorkContract } from './unit-of-work.contract'
import { inMemoryUnitOfWorkHarness } from './unit-of-work.harness'

unitOfWorkContract(inMemoryName, inMemoryUnitOfWorkHarness)
