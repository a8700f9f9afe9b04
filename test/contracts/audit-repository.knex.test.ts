import { auditRepositoryContract } from './audit-repository.contract'
import { knexName, knexPersistence } from './knex-persistence'

auditRepositoryContract(knexName, knexPersistence)
