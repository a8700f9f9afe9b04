import { backfillJobsContract } from './backfill-jobs.contract'
import { inMemoryMaintenance } from './maintenance.harness'
import { inMemoryName } from './in-memory-persistence'

backfillJobsContract(inMemoryName, inMemoryMaintenance)
