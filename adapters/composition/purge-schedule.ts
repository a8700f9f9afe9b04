/**
 * Knows how to run the maintenance in the background: soon after start, then every interval, never twice at
 * once. Each run purges expired trash, collects expired resumable uploads (releasing their reservations),
 * collects snapshot objects no snapshot references and the packs left empty (past their grace period), then
 * collects blobs no record names (past theirs).
 */
import * as E from 'fp-ts/Either'
import type { Logger } from 'pino'
import type { UseCases } from '../../application/zkeb'

export type PurgeSchedule = Readonly<{ stop: () => void }>

export const defaultPurgeIntervalMs = 60 * 60 * 1000
const firstRunDelayMs = 5_000

type Maintenance = Pick<
  UseCases,
  'purgeExpiredTrash' | 'collectGarbageBlobs' | 'expireUploads' | 'collectSnapshotGarbage'
>

const purgeTrash = async (useCases: Maintenance, logger: Pick<Logger, 'info' | 'warn'>) => {
  const result = await useCases.purgeExpiredTrash()()
  if (E.isRight(result)) {
    if (result.right.purged > 0) logger.info({ purged: result.right.purged }, 'purged expired trash')
  } else
    logger.warn(
      { dependency: result.left.dependency, err: result.left.cause },
      'trash purge failed; retrying later',
    )
}

const expireUploads = async (useCases: Maintenance, logger: Pick<Logger, 'info' | 'warn'>) => {
  const result = await useCases.expireUploads()()
  if (E.isRight(result)) {
    if (result.right.expired > 0) logger.info({ expired: result.right.expired }, 'collected expired uploads')
  } else
    logger.warn(
      { dependency: result.left.dependency, err: result.left.cause },
      'expired upload collection failed; retrying later',
    )
}

const collectSnapshots = async (useCases: Maintenance, logger: Pick<Logger, 'info' | 'warn'>) => {
  const result = await useCases.collectSnapshotGarbage()()
  if (E.isRight(result)) {
    const { objects, packs } = result.right
    if (objects + packs > 0) logger.info({ objects, packs }, 'collected unreferenced snapshot objects')
  } else
    logger.warn(
      { dependency: result.left.dependency, err: result.left.cause },
      'snapshot garbage collection failed; retrying later',
    )
}

const collectBlobs = async (useCases: Maintenance, logger: Pick<Logger, 'info' | 'warn'>) => {
  const result = await useCases.collectGarbageBlobs()()
  if (E.isRight(result)) {
    if (result.right.collected > 0)
      logger.info({ collected: result.right.collected }, 'deleted blobs no backup references')
  } else
    logger.warn(
      { dependency: result.left.dependency, err: result.left.cause },
      'blob garbage collection failed; retrying later',
    )
}

export const schedulePurge = (
  useCases: Maintenance,
  logger: Pick<Logger, 'info' | 'warn'>,
  intervalMs: number = defaultPurgeIntervalMs,
): PurgeSchedule => {
  let running = false
  const runOnce = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      await purgeTrash(useCases, logger)
      await expireUploads(useCases, logger)
      await collectSnapshots(useCases, logger)
      await collectBlobs(useCases, logger)
    } finally {
      running = false
    }
  }
  const first = setTimeout(() => void runOnce(), firstRunDelayMs)
  const every = setInterval(() => void runOnce(), intervalMs)
  first.unref()
  every.unref()
  return {
    stop: () => {
      clearTimeout(first)
      clearInterval(every)
    },
  }
}
