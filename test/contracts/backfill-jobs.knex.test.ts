import { backfillJobsContract } from './backfill-jobs.contract'
import { knexName } from './knex-persistence'
import { knexMaintenance } from './maintenance.harness'

backfillJobsContract(knexName, knexMaintenance)
