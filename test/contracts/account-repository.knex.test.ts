import { accountRepositoryContract } from './account-repository.contract'
import { knexName, knexPersistence } from './knex-persistence'

accountRepositoryContract(knexName, knexPersistence)
