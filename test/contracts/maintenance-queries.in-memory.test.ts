import { maintenanceQueriesContract } from './maintenance-queries.contract'
import { inMemoryMaintenance } from './maintenance.harness'
import { inMemoryName } from './in-memory-persistence'

maintenanceQueriesContract(inMemoryName, inMemoryMaintenance)
