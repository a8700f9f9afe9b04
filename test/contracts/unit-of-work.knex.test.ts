import { knexName } from './knex-persistence'
import { unitOfWorkContract } from './unit-of-work.contract'
import { knexUnitOfWorkHarness } from './unit-of-work.harness'

unitOfWorkContract(`${knexName}, sessions in PostgreSQL`, knexUnitOfWorkHarness('postgres'))
unitOfWorkContract(`${knexName}, sessions in process memory`, knexUnitOfWorkHarness('memory'))
