import { deviceRepositoryContract } from './device-repository.contract'
import { knexName, knexPersistence } from './knex-persistence'

deviceRepositoryContract(knexName, knexPersistence)
