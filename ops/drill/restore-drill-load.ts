/**
 * The load a restore drill backs up under: a few clients pushing small encrypted backups back to back (one-shot
 * uploads, each committing its record and its bytes together), each remembered with its id, its plaintext and
 * when it started and when the server confirmed it, so the drill can tell which ones committed during the
 * backup and check that each is, after the restore, either complete or absent.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { push } from '../../client/sdk'
import type { DrillUser } from './restore-drill-population'
import { metadataOf } from './restore-drill-population'

export type LoadUpload = Readonly<{
  user: DrillUser
  backupId: string
  content: Uint8Array
  startedAt: number
  /** When the server answered; null when it did not confirm (the upload may or may not have committed). */
  confirmedAt: number | null
}>

export type Load = Readonly<{ stop: () => Promise<ReadonlyArray<LoadUpload>> }>

/** Starts `clients` loops over `users`; `stop` ends them after their current upload and returns every upload. */
export const startLoad = (users: ReadonlyArray<DrillUser>, clients: number): Load => {
  const uploads: LoadUpload[] = []
  let running = true
  const loop = async (user: DrillUser) => {
    while (running) {
      const content = randomBytes(8_000 + Math.floor(Math.random() * 40_000))
      const backupId = randomUUID()
      const startedAt = Date.now()
      const pushed = await push(user.session, {
        backupId,
        source: () => [content],
        metadata: metadataOf(content.length, 'load.bin'),
      })
      uploads.push({ user, backupId, content, startedAt, confirmedAt: E.isRight(pushed) ? Date.now() : null })
    }
  }
  const loops = Array.from({ length: clients }, (_, i) => loop(users[i % users.length]!))
  return {
    stop: async () => {
      running = false
      await Promise.all(loops)
      return uploads
    },
  }
}
