import { backupRepositoryContract } from './backup-repository.contract'
import { knexName, knexPersistence } from './knex-persistence'

backupRepositoryContract(knexName, knexPersistence)
