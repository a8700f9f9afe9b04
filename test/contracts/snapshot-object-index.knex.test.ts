import { knexName } from './knex-persistence'
import { snapshotObjectIndexContract } from './snapshot-object-index.contract'
import { knexSnapshots } from './snapshot-persistence'

snapshotObjectIndexContract(knexName, knexSnapshots)
