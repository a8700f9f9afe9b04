/** Resumable (tus) uploads' use cases, wired from the ports. */
import {
  appendUpload,
  type AppendUpload,
  createUpload,
  type CreateUpload,
  expireUploads,
  type ExpireUploads,
  findUpload,
  type FindUpload,
  terminateUpload,
  type TerminateUpload,
} from './use-cases'
import type { Ports } from './ports'

export type UploadUseCases = Readonly<{
  createUpload: CreateUpload
  findUpload: FindUpload
  appendUpload: AppendUpload
  terminateUpload: TerminateUpload
  expireUploads: ExpireUploads
}>

export const makeUploadUseCases = (ports: Ports): UploadUseCases => ({
  createUpload: createUpload(ports),
  findUpload: findUpload(ports),
  appendUpload: appendUpload(ports),
  terminateUpload: terminateUpload(ports),
  expireUploads: expireUploads(ports),
})
