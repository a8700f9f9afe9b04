import { knexName } from './knex-persistence'
import { snapshotKeyRepositoryContract } from './snapshot-key-repository.contract'
import { knexSnapshots } from './snapshot-persistence'

snapshotKeyRepositoryContract(knexName, knexSnapshots)
