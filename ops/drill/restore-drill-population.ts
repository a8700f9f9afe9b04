/**
 * What the restore drill puts in the service before the backup, through the client SDK as real clients do:
 * accounts with a device, encrypted backups (one of each account in the trash), a restic repository written by
 * the real restic client, and a resumable (tus) upload left half-sent. It remembers what each must be after
 * the restore: the plaintexts, the audit trail, every restic object's digest, the upload to resume.
 * SECURITY: drill-only; key stretching is cheapened (the server cannot tell).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import path from 'node:path'
import * as E from 'fp-ts/Either'
import {
  type ClientOptions,
  createResticToken,
  fetchAudit,
  login,
  push,
  pushResumable,
  register,
  registerDevice,
  type ResumableUpload,
  type ResumeStore,
  type Session,
  trashBackup,
} from '../../client/sdk'
import { objectDigests, restic, type ResticRepository, writeDataSet } from './restore-drill-restic'

const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

export const clientOptions = (base: string): ClientOptions => ({
  baseUrl: base,
  keyStretching,
  retry: { maxDelayMs: 50 },
})

export const right = async <A>(what: string, result: Promise<E.Either<{ _tag: string }, A>>): Promise<A> => {
  const done = await result
  if (E.isLeft(done)) throw new Error(`${what}: ${JSON.stringify(done.left)}`)
  return done.right
}

export const metadataOf = (size: number, name = 'drill.bin') => ({
  name,
  size,
  mtime: '2026-12-01T00:00:00.000Z',
  type: 'application/octet-stream',
  tags: [],
})

export type DrillUser = Readonly<{
  username: string
  password: string
  session: Session
  /** backupId → plaintext, of live backups. */
  live: Map<string, Uint8Array>
  trashed: Readonly<{ backupId: string; content: Uint8Array }>
  /** Event ids of the audit trail, oldest first, as read before the backup. */
  auditEventIds: ReadonlyArray<string>
}>

export type TusInFlight = Readonly<{
  user: DrillUser
  content: Uint8Array
  store: ResumeStore
  offset: number
}>

export type Population = Readonly<{
  users: ReadonlyArray<DrillUser>
  restic: Readonly<{ repository: ResticRepository; objects: Record<string, string>; snapshots: number }>
  tus: TusInFlight
}>

const aUser = async (base: string, index: number) => {
  const options = clientOptions(base)
  const username = `drill-${index}-${randomUUID().slice(0, 8)}`
  const password = `pw-${randomBytes(12).toString('base64url')}`
  await right('register', register(options, { username, password }))
  const loggedIn = await right('login', login(options, { username, password }))
  const { session } = await right('device', registerDevice(loggedIn, `drill device ${index}`))
  const live = new Map<string, Uint8Array>()
  for (const size of [12_000, 90_000, 260_000]) {
    const content = randomBytes(size + index)
    const pushed = await right(
      'push',
      push(session, { source: () => [content], metadata: metadataOf(content.length) }),
    )
    live.set(pushed.backupId, content)
  }
  const [trashedId] = live.keys()
  const trashed = { backupId: trashedId!, content: live.get(trashedId!)! }
  live.delete(trashedId!)
  await right('trash', trashBackup(session, trashedId!))
  return { username, password, session, live, trashed }
}

const memoryStore = (): ResumeStore => {
  let kept: ResumableUpload | undefined
  return {
    load: () => Promise.resolve(kept),
    save: (upload) => Promise.resolve(void (kept = upload)),
    clear: () => Promise.resolve(void (kept = undefined)),
  }
}

function* piecesOf(content: Uint8Array, failAfter = Infinity): Generator<Uint8Array> {
  for (let at = 0; at < content.length; at += 64 * 1024) {
    if (at >= failAfter) throw new Error('the drill cuts this upload off')
    yield content.subarray(at, at + 64 * 1024)
  }
}

/** A resumable upload whose sending stops part-way: the client keeps what it needs to resume. */
const tusInFlight = async (user: DrillUser): Promise<TusInFlight> => {
  const content = randomBytes(2560 * 1024)
  const store = memoryStore()
  let pass = 0
  // Pass 1 measures and signs; pass 2 sends, cut off inside the second 1 MiB encryption segment: the parts
  // of the first segment are stored, the rest is not.
  const source = () => (++pass === 2 ? piecesOf(content, 1536 * 1024) : piecesOf(content))
  const first = await pushResumable(user.session, {
    source,
    metadata: metadataOf(content.length),
    store,
    partBytes: 256 * 1024,
  })
  const saved = await store.load()
  if (E.isRight(first) || saved === undefined)
    throw new Error('the resumable upload was meant to stop part-way')
  const offset = (await user.session.http.uploadOffset(saved.uploadPath)) ?? 0
  if (offset === 0 || offset >= saved.sizeBytes) throw new Error(`the resumable upload stopped at ${offset}`)
  return { user, content, store, offset }
}

const resticRepository = async (base: string, user: DrillUser, work: string) => {
  const { token } = await right('restic token', createResticToken(user.session, { appendOnly: false }))
  const repository: ResticRepository = {
    base,
    username: user.username,
    token,
    repo: 'drill',
    password: `restic-${randomBytes(12).toString('base64url')}`,
    work,
  }
  const source = path.join(work, 'source')
  await restic(repository, ['init'])
  for (const round of [1, 2]) {
    await writeDataSet(source, round)
    await restic(repository, ['backup', '--host', 'drill', source])
  }
  return { repository, objects: await objectDigests(repository), snapshots: 2 }
}

export const populate = async (base: string, work: string, accounts = 3): Promise<Population> => {
  const made: Array<Omit<DrillUser, 'auditEventIds'>> = []
  for (let i = 0; i < accounts; i++) made.push(await aUser(base, i))
  const resticPart = await resticRepository(base, made[0]! as DrillUser, path.join(work, 'restic'))
  const users: DrillUser[] = []
  for (const user of made) {
    const trail = await right('audit', fetchAudit(user.session))
    users.push({ ...user, auditEventIds: trail.events.map((e) => e.eventId) })
  }
  const tus = await tusInFlight(users[1 % users.length]!)
  return { users, restic: resticPart, tus }
}
