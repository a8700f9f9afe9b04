/**
 * Two accounts hammer the real HTTP app concurrently, over one small PostgreSQL pool (3 connections), so their
 * transactions reuse each other's connections all the time: the per-transaction account setting must never
 * leak from one to the next. Every answer is checked against what that account itself stored; any id, row or
 * byte of the other account fails the test.
 */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import { anUpload } from '../support/test-client'
import { aUserWithDevice, uploadOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from './attack-kit'

const operationsPerAccount = 200
const inFlight = 8

type Account = Awaited<ReturnType<typeof aUserWithDevice>> & {
  /** backupId → SHA-256 of its content, as this account uploaded it. */
  stored: Map<string, string>
  /** Uploads in flight: they may show up in a listing before their answer arrives. */
  pending: Set<string>
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Runs `tasks` with at most `limit` at once. */
const runLimited = async (tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!()
  }
  await Promise.all(Array.from({ length: limit }, worker))
}

describe('attacks: two accounts concurrently over one connection pool (PostgreSQL)', function () {
  this.timeout(120_000)
  let target: Target

  before(async () => {
    target = await startTarget({ env: { DATABASE_POOL_MAX: '3' } })
  })
  after(() => target?.close())

  it(`keeps ${operationsPerAccount} interleaved list/get/upload/download calls per account apart`, async () => {
    const accounts: Account[] = []
    for (let i = 0; i < 2; i++)
      accounts.push({ ...(await aUserWithDevice(target)), stored: new Map(), pending: new Set() })
    const [a, b] = accounts as [Account, Account]
    const other = (me: Account): Account => (me === a ? b : a)
    const problems: string[] = []
    const checked = { list: 0, get: 0, upload: 0, download: 0, foreign: 0, foreignSkipped: 0 }

    const someStored = (me: Account): string | undefined => {
      const ids = [...me.stored.keys()]
      return ids[Math.floor(Math.random() * ids.length)]
    }

    const operation = (me: Account, i: number) => async (): Promise<void> => {
      const name = me === a ? 'A' : 'B'
      const kind = i % 5
      if (kind === 0 || me.stored.size === 0) {
        const upload = anUpload(me.device.deviceId, me.device.key, { content: Buffer.alloc(512 + i, i) })
        me.pending.add(upload.input.backupId)
        const res = await uploadOverHttp(target, me.token, upload)
        me.pending.delete(upload.input.backupId)
        if (res.status !== 201) problems.push(`${name} upload ${res.status}: ${await res.text()}`)
        else {
          await res.arrayBuffer()
          me.stored.set(upload.input.backupId, sha256(upload.content))
        }
        checked.upload++
      } else if (kind === 1) {
        const res = await target.call('GET', '/api/v1/backups?limit=200', { token: me.token })
        const page = (await res.json()) as { items: Array<{ backupId: string }> }
        for (const item of page.items)
          if (!me.stored.has(item.backupId) && !me.pending.has(item.backupId))
            problems.push(`${name} listed a backup it never stored`)
        checked.list++
      } else if (kind === 2) {
        const id = someStored(me)!
        const res = await target.call('GET', `/api/v1/backups/${id}`, { token: me.token })
        const body = (await res.json()) as { backupId?: string; sha256?: string }
        if (res.status !== 200 || body.backupId !== id || body.sha256 !== me.stored.get(id))
          problems.push(`${name} get ${res.status}`)
        checked.get++
      } else if (kind === 3) {
        const id = someStored(me)!
        const res = await target.call('GET', `/api/v1/backups/${id}/content`, { token: me.token })
        const bytes = new Uint8Array(await res.arrayBuffer())
        if (res.status !== 200 || sha256(bytes) !== me.stored.get(id))
          problems.push(`${name} download ${res.status}`)
        checked.download++
      } else {
        // The other account's newest id, asked for by this one: must look like it does not exist.
        const id = someStored(other(me))
        // Early on the other account may not have stored anything yet: nothing to ask for, counted apart.
        if (id === undefined) return void checked.foreignSkipped++
        const path = i % 2 === 0 ? `/api/v1/backups/${id}` : `/api/v1/backups/${id}/content`
        const res = await target.call('GET', path, { token: me.token })
        await res.arrayBuffer()
        if (res.status !== 404) problems.push(`${name} read the other account's backup: ${res.status}`)
        checked.foreign++
      }
    }

    const tasks = Array.from({ length: operationsPerAccount }, (_, i) => [
      operation(a, i),
      operation(b, i),
    ]).flat()
    await runLimited(tasks, inFlight)

    expect(problems).to.deep.equal([])
    const { upload, list, get, download, foreign, foreignSkipped } = checked
    expect(upload + list + get + download + foreign + foreignSkipped).to.equal(2 * operationsPerAccount)
    expect(checked.foreign).to.be.greaterThan(50)
    // The database agrees: each account's rows are exactly what it uploaded.
    for (const me of [a, b]) {
      const rows = await target.db
        .ownerKnex('zkeb.backups')
        .where({ account_id: me.account.accountId })
        .select<Array<{ backup_id: string }>>('backup_id')
      expect(new Set(rows.map((r) => r.backup_id))).to.deep.equal(new Set(me.stored.keys()))
    }
  })
})
