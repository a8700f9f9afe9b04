import { knexName } from './knex-persistence'
import { knexRestic } from './restic-persistence'
import { resticTokenRepositoryContract } from './restic-token-repository.contract'

resticTokenRepositoryContract(knexName, knexRestic)
