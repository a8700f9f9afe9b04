/**
 * Key rotation at scale (issue #21) against the real server as its own process on PostgreSQL: backups made by a
 * fast path (rows inserted by SQL, each with a data key wrapped by the client crypto), rotated through the SDK,
 * stopped halfway (AbortSignal: the client quits between pages), resumed from its checkpoint by a new login,
 * then checked: a sample of keys opens with the new BKK and not with the old, real uploads still download, one
 * `key-rotated` event, and the server's RSS growth. ZKEB_ROTATION_SCALE_BACKUPS sets the size (default 5,000;
 * issue #21 asks for 100,000 once by hand). Figures are printed, never asserted beyond generous bounds: the
 * machine may be shared.
 */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import pg from 'pg'
import { deriveBackupKeys, generateDek, unwrapDek, wrapDek, type Dek } from '../../../client/crypto'
import {
  fetchAudit,
  login,
  pull,
  push,
  register,
  registerDevice,
  rotateKeys,
  type RotationCheckpoint,
  type Session,
} from '../../../client/sdk'
import type { BackupId } from '../../../domain/ids'
import { freshDatabase, type FreshDatabase } from '../../support/fresh-database'
import { startServerProcess, type ServerProcess } from '../../support/measured-server-process'
import { meterMemory, mib } from '../../support/server-memory'
import { aPassword, aUsername, optionsFor, readAll, right, someBytes } from './sdk-kit'

const count = Number(process.env['ZKEB_ROTATION_SCALE_BACKUPS'] ?? 5000)
const sampleEvery = Math.max(1, Math.floor(count / 200))
const bytes = someBytes(5000, 7)
const metadata = {
  name: 'a.txt',
  size: bytes.length,
  mtime: '2025-01-01T00:00:00.000Z',
  type: 'text/plain',
  tags: [],
}
const b = (u: Uint8Array) => Buffer.from(u)

/** `count` backup rows of the account, half of every hundred trashed, each DEK wrapped under `session`'s BKK. */
const insertBackups = async (db: FreshDatabase, session: Session, deviceId: string) => {
  const samples: Array<{ backupId: BackupId; dek: Dek }> = []
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    for (let start = 0; start < count; start += 5000) {
      const n = Math.min(5000, count - start)
      const ids: string[] = []
      const keys: Buffer[] = []
      for (let i = 0; i < n; i++) {
        const backupId = randomUUID() as BackupId
        const dek = generateDek()
        ids.push(backupId)
        keys.push(b(await wrapDek(session.keys.bkk, dek, backupId)))
        if ((start + i) % sampleEvery === 0) samples.push({ backupId, dek })
      }
      await client.query(
        `insert into zkeb.backups (account_id, backup_id, device_id, blob_id, size_bytes, sha256, encrypted_metadata,
           wrapped_key, signature, key_version, created_at, deleted_at)
         select $1, v.id, $2, gen_random_uuid(), 100, repeat('0', 64), decode(repeat('00', 40), 'hex'), v.key,
                decode(repeat('00', 64), 'hex'), 1,
                now() - make_interval(secs => v.n), case when v.n % 100 < 2 then now() else null end
         from unnest($3::uuid[], $4::bytea[]) with ordinality as v(id, key, n)`,
        [session.accountId, deviceId, ids, keys],
      )
    }
  } finally {
    await client.end()
  }
  return samples
}

describe(`key rotation at scale: ${count} backups, interrupted and resumed (PostgreSQL, server process)`, function () {
  this.timeout(15 * 60_000)
  let db: FreshDatabase
  let server: ServerProcess
  let meter: ReturnType<typeof meterMemory> | undefined
  before(async function () {
    const fresh = await freshDatabase('zkeb_rotation_scale')
    if (fresh === null) return this.skip()
    db = fresh
    server = await startServerProcess({ DATABASE_URL: db.url, RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000' })
  })
  after(async () => {
    meter?.stop()
    await server?.stop()
    await db?.drop()
  })

  it('rotates every key through pages, resumes after the client quits halfway, and commits once', async () => {
    const options = optionsFor(server)
    const username = aUsername()
    const password = aPassword()
    const { recoveryKey } = right(await register(options, { username, password }))
    const { session } = right(
      await registerDevice(right(await login(options, { username, password })), 'laptop'),
    )
    const real = right(await push(session, { source: () => [bytes], metadata }))
    const samples = await insertBackups(db, session, session.device!.deviceId)
    const oldKeys = session.keys

    meter = meterMemory(server.pid)
    const started = performance.now()
    let checkpoint: RotationCheckpoint | undefined
    const quit = new AbortController()
    const first = await rotateKeys(session, {
      recoveryKey,
      onProgress: (p) => p.staged >= count / 2 && quit.abort(new Error('client quit')),
      onCheckpoint: (c) => void (checkpoint = c),
      signal: quit.signal,
    }).catch((e: unknown) => e)
    expect(first).to.have.property('message', 'client quit')
    expect(checkpoint).not.to.equal(undefined)
    const halfway = performance.now()

    const again = right(await login(options, { username, password, deviceId: session.device!.deviceId }))
    let resumedFrom = -1
    const rotated = right(
      await rotateKeys(again, {
        recoveryKey,
        resumeFrom: checkpoint!,
        onProgress: (p) => void (resumedFrom = resumedFrom < 0 ? p.staged : resumedFrom),
      }),
    )
    const seconds = (performance.now() - started) / 1000
    const growth = meter.growthBytes()
    meter.stop()

    expect(rotated.keyBundleVersion).to.equal(2)
    expect(resumedFrom).to.be.greaterThan(count / 2)
    const newKeys = await deriveBackupKeys(rotated.umk)
    const stored = new pg.Client({ connectionString: db.url })
    await stored.connect()
    try {
      const { rows } = await stored.query<{ backup_id: string; wrapped_key: Buffer; key_version: number }>(
        'select backup_id, wrapped_key, key_version from zkeb.backups where backup_id = any($1::uuid[])',
        [samples.map((s) => s.backupId)],
      )
      expect(rows).to.have.length(samples.length)
      for (const row of rows) {
        const sample = samples.find((s) => s.backupId === row.backup_id)!
        const opened = await unwrapDek(newKeys.bkk, row.wrapped_key, sample.backupId)
        expect(E.isRight(opened) && b(opened.right).equals(b(sample.dek))).to.equal(true)
        expect(E.isLeft(await unwrapDek(oldKeys.bkk, row.wrapped_key, sample.backupId))).to.equal(true)
        expect(row.key_version).to.equal(2)
      }
      const { rows: old } = await stored.query<{ n: number }>(
        'select count(*)::int as n from zkeb.backups where key_version <> 2',
      )
      expect(old[0]?.n).to.equal(0)
    } finally {
      await stored.end()
    }
    const pulled = right(await pull(rotated, real.backupId))
    expect((await readAll(pulled.content)).equals(Buffer.from(bytes))).to.equal(true)
    const { events, firstBroken } = right(await fetchAudit(rotated))
    expect(firstBroken).to.equal(-1)
    expect(events.filter((e) => e.type === 'key-rotated')).to.have.length(1)

    console.log(
      `      ${count + 1} backups: rotated in ${seconds.toFixed(1)} s (quit at ${((halfway - started) / 1000).toFixed(1)} s), ` +
        `server RSS ${mib(meter.baselineBytes)} at start, +${mib(growth)} at most (${meter.method}); shared machine`,
    )
    expect(growth).to.be.lessThan(256 * 1024 * 1024)
  })
})
