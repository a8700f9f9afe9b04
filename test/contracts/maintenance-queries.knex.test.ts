import { maintenanceQueriesContract } from './maintenance-queries.contract'
import { knexName } from './knex-persistence'
import { knexMaintenance } from './maintenance.harness'

maintenanceQueriesContract(knexName, knexMaintenance)
