import { knexName } from './knex-persistence'
import { uploadSessionRepositoryContract } from './upload-session-repository.contract'
import { knexUploads } from './upload-persistence'

uploadSessionRepositoryContract(knexName, knexUploads)
