import { knexName } from './knex-persistence'
import { snapshotRepositoryContract } from './snapshot-repository.contract'
import { knexSnapshots } from './snapshot-persistence'

snapshotRepositoryContract(knexName, knexSnapshots)
