import { knexName } from './knex-persistence'
import { knexRestic } from './restic-persistence'
import { resticObjectRepositoryContract } from './restic-object-repository.contract'

resticObjectRepositoryContract(knexName, knexRestic)
