/**
 * Knows the upload queue: files are encrypted and sent one at a time (each in two passes: the SDK hashes the
 * ciphertext to sign it, then streams it), with progress, rate, time left and cancel per file.
 */
import * as E from 'fp-ts/Either'
import { Cancelled, fileChunks } from './files'
import { messageOf } from './messages'
import { push, type Session, type TransferProgress } from './sdk'
import { withUploadSignal } from './transport'

export type UploadState = 'queued' | 'encrypting' | 'uploading' | 'done' | 'failed' | 'cancelled'

export type Upload = Readonly<{
  id: number
  name: string
  size: number
  state: UploadState
  /** 0..1 over both passes. */
  fraction: number
  bytesPerSecond: number
  secondsLeft: number
  error?: string
}>

export type UploadJob = Readonly<{ id: number; file: File; controller: AbortController }>

type Report = (id: number, change: Partial<Upload>) => void

/** Progress over both passes, with the rate of the current pass since it began. */
const progressReporter = (id: number, report: Report) => {
  let phase: TransferProgress['phase'] | undefined
  let phaseStart = 0
  let lastReport = 0
  return (p: TransferProgress) => {
    const now = performance.now()
    if (p.phase !== phase) {
      phase = p.phase
      phaseStart = now
    }
    if (now - lastReport < 100 && p.bytes < p.total) return
    lastReport = now
    const done = (p.phase === 'hash' ? 0 : p.total) + p.bytes
    const rate = p.bytes / Math.max((now - phaseStart) / 1000, 0.001)
    report(id, {
      state: p.phase === 'hash' ? 'encrypting' : 'uploading',
      fraction: p.total === 0 ? 1 : done / (2 * p.total),
      bytesPerSecond: rate,
      secondsLeft: (2 * p.total - done) / Math.max(rate, 1),
    })
  }
}

/** Encrypts and uploads one file; resolves once it is stored, failed or cancelled. */
export const runUpload = async (session: Session, job: UploadJob, report: Report): Promise<void> => {
  const { file, controller } = job
  if (controller.signal.aborted) return report(job.id, { state: 'cancelled' })
  report(job.id, { state: 'encrypting' })
  try {
    const stored = await withUploadSignal(controller.signal, () =>
      push(session, {
        source: () => fileChunks(file, controller.signal),
        metadata: {
          name: file.name,
          size: file.size,
          mtime: new Date(file.lastModified).toISOString(),
          type: file.type,
          tags: [],
        },
        onProgress: progressReporter(job.id, report),
      }),
    )
    if (controller.signal.aborted) return report(job.id, { state: 'cancelled' })
    if (E.isLeft(stored)) return report(job.id, { state: 'failed', error: messageOf(stored.left) })
    report(job.id, { state: 'done', fraction: 1, secondsLeft: 0 })
  } catch (e) {
    if (e instanceof Cancelled || controller.signal.aborted) return report(job.id, { state: 'cancelled' })
    report(job.id, { state: 'failed', error: 'The file could not be read.' })
  }
}
