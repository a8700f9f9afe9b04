/**
 * What a restored ZKEB must show, checked as its clients see it: every user logs in with the same password,
 * every backup decrypts to the same plaintext, every audit chain verifies and keeps its earlier events, the
 * trash still restores, every restic object reads back byte-identical (and restic itself checks and restores
 * the repository), the half-sent resumable upload resumes and completes, and each upload of the load is
 * either complete or absent, never half there. Any departure throws, naming what and which.
 */
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import * as E from 'fp-ts/Either'
import { fetchAudit, login, pull, pushResumable, restoreBackup, type Session } from '../../client/sdk'
import type { LoadUpload } from './restore-drill-load'
import { clientOptions, type DrillUser, metadataOf, type Population, right } from './restore-drill-population'
import { fileDigests, objectDigests, restic } from './restore-drill-restic'

export type Window = Readonly<{ start: number; end: number }>

export type LoadOutcome = Readonly<{ present: number; absent: number; committedDuringBackup: number }>

const drillFailure = (what: string) => new Error(`restore drill: ${what}`)

const readAll = async (content: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Buffer[] = []
  for await (const part of content) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

/** The plaintext of a backup, or null when the server has no such backup (404). */
const plaintextOf = async (session: Session, backupId: string): Promise<Buffer | null> => {
  const pulled = await pull(session, backupId)
  if (E.isLeft(pulled)) {
    if (pulled.left._tag === 'ApiError' && pulled.left.status === 404) return null
    throw drillFailure(`backup ${backupId} does not download: ${JSON.stringify(pulled.left)}`)
  }
  return readAll(pulled.right.content)
}

const expectIdentical = async (session: Session, backupId: string, content: Uint8Array): Promise<void> => {
  const found = await plaintextOf(session, backupId)
  if (found === null || !found.equals(content))
    throw drillFailure(`backup ${backupId} is ${found === null ? 'missing' : 'different'}`)
}

const checkUser = async (base: string, user: DrillUser): Promise<Session> => {
  const session = await right(
    `login of ${user.username}`,
    login(clientOptions(base), { username: user.username, password: user.password }),
  )
  for (const [backupId, content] of user.live) await expectIdentical(session, backupId, content)
  const trail = await right('audit trail', fetchAudit(session))
  if (trail.firstBroken !== -1)
    throw drillFailure(`the audit chain of ${user.username} breaks at event ${trail.firstBroken}`)
  const ids = trail.events.map((e) => e.eventId)
  if (!isDeepStrictEqual(ids.slice(0, user.auditEventIds.length), [...user.auditEventIds]))
    throw drillFailure(`the audit trail of ${user.username} lost or changed events`)
  await right('restore from the trash', restoreBackup(session, user.trashed.backupId))
  await expectIdentical(session, user.trashed.backupId, user.trashed.content)
  return session
}

/** Every object identical, then restic's own verdict: check --read-data, and a restore equal to the source. */
const checkRestic = async (population: Population): Promise<number> => {
  const { repository, objects, snapshots } = population.restic
  if (!isDeepStrictEqual(await objectDigests(repository), objects))
    throw drillFailure('the restic repository differs')
  const listed = JSON.parse(await restic(repository, ['snapshots', '--json'])) as unknown[]
  if (listed.length !== snapshots)
    throw drillFailure(`restic lists ${listed.length} snapshots, not ${snapshots}`)
  await restic(repository, ['check', '--read-data'])
  const target = path.join(repository.work, 'restored')
  const source = path.join(repository.work, 'source')
  await restic(repository, ['restore', 'latest', '--target', target])
  if (!isDeepStrictEqual(await fileDigests(path.join(target, source)), await fileDigests(source)))
    throw drillFailure('restic restored other files than it backed up')
  return Object.keys(objects).length
}

/** Complete or absent; complete when confirmed before the backup began, absent when begun after it ended. */
const checkLoad = async (
  sessions: Map<string, Session>,
  uploads: ReadonlyArray<LoadUpload>,
  window: Window,
): Promise<LoadOutcome> => {
  let present = 0
  let absent = 0
  for (const upload of uploads) {
    const found = await plaintextOf(sessions.get(upload.user.username)!, upload.backupId)
    if (found !== null && !found.equals(upload.content))
      throw drillFailure(`upload ${upload.backupId} came back altered`)
    if (found === null && upload.confirmedAt !== null && upload.confirmedAt < window.start)
      throw drillFailure(`upload ${upload.backupId}, confirmed before the backup began, is missing`)
    if (found !== null && upload.startedAt > window.end)
      throw drillFailure(`upload ${upload.backupId}, begun after the backup, is there`)
    if (found === null) absent++
    else present++
  }
  const during = uploads.filter(
    (u) => u.confirmedAt !== null && u.confirmedAt >= window.start && u.confirmedAt <= window.end,
  )
  return { present, absent, committedDuringBackup: during.length }
}

/** The half-sent upload resumes from the offset the backup kept (not afresh) and completes byte for byte. */
const checkTus = async (population: Population, session: Session): Promise<void> => {
  const { content, store, offset } = population.tus
  const saved = await store.load()
  const kept = saved === undefined ? undefined : await session.http.uploadOffset(saved.uploadPath)
  if (kept !== offset)
    throw drillFailure(`the resumable upload is at ${String(kept)} after the restore, not ${offset}`)
  function* whole() {
    yield content
  }
  const done = await right(
    'resuming the upload',
    pushResumable(session, { source: whole, metadata: metadataOf(content.length), store }),
  )
  await expectIdentical(session, done.backupId, content)
}

export const checkRestored = async (
  base: string,
  population: Population,
  uploads: ReadonlyArray<LoadUpload>,
  window: Window,
) => {
  const sessions = new Map<string, Session>()
  for (const user of population.users) sessions.set(user.username, await checkUser(base, user))
  const resticObjects = await checkRestic(population)
  const load = await checkLoad(sessions, uploads, window)
  await checkTus(population, sessions.get(population.tus.user.username)!)
  return { users: population.users.length, resticObjects, load }
}
