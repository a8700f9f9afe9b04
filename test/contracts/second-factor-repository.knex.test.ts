import { knexName } from './knex-persistence'
import { secondFactorRepositoryContract } from './second-factor-repository.contract'
import { knexSnapshots } from './snapshot-persistence'

secondFactorRepositoryContract(knexName, knexSnapshots)
