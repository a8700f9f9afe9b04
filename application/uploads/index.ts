/** Resumable (tus) uploads. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { createUpload, type CreateUpload } from './create-upload'
import { findUpload, type FindUpload } from './find-upload'
import { appendUpload, type AppendUpload } from './append-upload'
import { terminateUpload, type TerminateUpload } from './terminate-upload'
import { expireUploads, type ExpireUploads } from './expire-uploads'

export * from './append-upload'
export * from './create-upload'
export * from './expire-uploads'
export * from './find-upload'
export * from './finish-upload'
export * from './terminate-upload'

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
