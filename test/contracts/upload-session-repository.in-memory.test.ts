import { inMemoryName } from './in-memory-persistence'
import { uploadSessionRepositoryContract } from './upload-session-repository.contract'
import { inMemoryUploads } from './upload-persistence'

uploadSessionRepositoryContract(inMemoryName, inMemoryUploads)
