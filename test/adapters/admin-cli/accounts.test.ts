/**
 * `zkeb-admin account …`, driven in-process through `main` against a fresh PostgreSQL database (sessions kept
 * there too, STORE=redis): every command, its text and --json output, its exit codes, and the operator events
 * each change leaves in the account's audit trail (one per change, none for a change that changes nothing).
 */
import { expect } from 'chai'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import * as O from 'fp-ts/Option'
import { main } from '../../../adapters/composition/admin-main'
import { ExitCode, type InputStream } from '../../../adapters/admin-cli/output'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexDeviceRepository } from '../../../adapters/persistence/knex/knex-device-repository'
import { knexSessionStore } from '../../../adapters/persistence/knex/knex-session-store'
import type { Account } from '../../../domain/account'
import type { AccountId, SessionId, Sha256Hex, Username } from '../../../domain/ids'
import { right } from '../../contracts/harness'
import { aBackup, aDevice, aDeviceId, anAccount } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

type Run = Readonly<{ code: number; out: string; err: string }>

/** A terminal that answers `line` once asked (or closes without a word). */
const terminal = (line: string | null): InputStream => {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean }
  input.isTTY = true
  setImmediate(() => (line === null ? input.end() : input.write(`${line}\n`)))
  return input
}

describe('zkeb-admin account', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let dataDir: string
  let env: Record<string, string>
  const named = (username: string, overrides: Partial<Account> = {}) =>
    anAccount({ username: username as Username, quotaLimitBytes: 1_000_000, ...overrides })
  const carol = named('Carol.admin')
  const alice = named('alice-admin')
  const bob = named('bob-admin')
  const dave = named('dave-admin')

  const admin = async (argv: string[], stdin?: InputStream): Promise<Run> => {
    let out = ''
    let err = ''
    const code = await main(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      ...(stdin === undefined ? {} : { stdin }),
    })
    return { code, out, err }
  }
  const json = async <T = Record<string, unknown>>(argv: string[]): Promise<T> => {
    const run = await admin([...argv, '--json'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    return JSON.parse(run.out) as T
  }
  const events = async (accountId: AccountId) =>
    (
      await db
        .ownerKnex('zkeb.audit_events')
        .where({ account_id: accountId })
        .orderBy('seq')
        .select<Array<{ type: string; request_id: string; device_id: string | null }>>(
          'type',
          'request_id',
          'device_id',
        )
    ).filter((e) => e.type.startsWith('operator-'))
  const exists = async (accountId: AccountId) =>
    O.isSome(await right(knexAccountRepository(db.appKnex).findById(accountId)))

  before(async () => {
    db = await createTestDatabase()
    for (const account of [carol, alice, bob, dave])
      await right(knexAccountRepository(db.appKnex).create(account))
    await right(
      knexBackupRepository(db.appKnex).insert(aBackup(alice.accountId, aDeviceId(), { sizeBytes: 300 })),
    )
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-admin-accounts-'))
    env = {
      DATABASE_URL: db.ownerUrl,
      DATABASE_APP_URL: db.appUrl,
      DATA_DIR: dataDir,
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'silent',
    }
    const redisUrl = process.env['TEST_REDIS_URL']
    if (redisUrl !== undefined && redisUrl !== '') env = { ...env, STORE: 'redis', REDIS_URL: redisUrl }
  })
  after(async () => {
    await db.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('list: by username, letter case ignored, a page at a time (--limit, --cursor) or all of them (--all)', async () => {
    const all = await json<{ items: Array<{ username: string }>; nextCursor: null }>(['account', 'list'])
    expect(all.items.map((a) => a.username)).to.deep.equal([
      'alice-admin',
      'bob-admin',
      'Carol.admin',
      'dave-admin',
    ])
    expect(all.nextCursor).to.equal(null)
    const first = await json(['account', 'list', '--limit', '2'])
    expect(first).to.deep.include({ nextCursor: 'bob-admin' })
    const second = await json(['account', 'list', '--limit', '2', '--cursor', 'BOB-admin'])
    expect(second).to.deep.include({ nextCursor: null })
    expect((second['items'] as Array<{ username: string }>).map((a) => a.username)).to.deep.equal([
      'Carol.admin',
      'dave-admin',
    ])
    expect((await json(['account', 'list', '--all']))['items']).to.have.length(4)

    const text = await admin(['account', 'list', '--limit', '1'])
    expect(text.code).to.equal(ExitCode.ok)
    expect(text.out).to.match(/^alice-admin [0-9a-f-]{36} active, uses 300 B of 976\.6 KiB\n$/)
    expect(text.err).to.equal('more accounts: zkeb-admin account list --cursor alice-admin\n')
    expect((await admin(['account', 'list', '--cursor', 'zzz'])).out).to.equal('no accounts\n')
  })

  it('show: by username (any letter case) or id, never a key or OPAQUE record', async () => {
    const view = await json(['account', 'show', 'ALICE-ADMIN'])
    expect(view).to.deep.equal({
      accountId: alice.accountId,
      username: 'alice-admin',
      createdAt: alice.createdAt.toISOString(),
      disabledAt: null,
      keyBundleVersion: 1,
      quota: { limitBytes: 1_000_000, usedBytes: 300 },
    })
    expect(await json(['account', 'show', alice.accountId.toUpperCase()])).to.deep.equal(view)
  })

  it('disable, then enable: the flag set and cleared; one operator event each, none when nothing changes', async () => {
    const disabled = await json<{ disabledAt: string | null }>(['account', 'disable', 'bob-admin'])
    expect(disabled.disabledAt).to.be.a('string')
    const again = await admin(['account', 'disable', bob.accountId])
    expect(again.code).to.equal(ExitCode.ok)
    expect(again.out).to.equal(
      `bob-admin ${bob.accountId} disabled since ${disabled.disabledAt}, uses 0 B of 976.6 KiB\n`,
    )
    expect(await json(['account', 'enable', 'bob-admin'])).to.deep.include({ disabledAt: null })
    expect((await admin(['account', 'enable', 'bob-admin'])).out).to.match(/ active, /)
    const trail = await events(bob.accountId)
    expect(trail.map((e) => e.type)).to.deep.equal(['operator-account-disabled', 'operator-account-enabled'])
    for (const e of trail) {
      expect(e.request_id).to.match(/^zkeb-admin:[0-9a-f-]{36}$/)
      expect(e.device_id).to.equal(null)
    }
  })

  it('quota: bytes or a size with a decimal or binary unit; one operator event per change', async () => {
    const limits: Array<[string, number]> = [
      ['10GiB', 10 * 1024 ** 3],
      ['1GB', 1e9],
      ['1.5 TB', 1.5e12],
      ['512', 512],
      ['1.1gb', 1_100_000_000],
      ['2KiB', 2048],
      ['2KiB', 2048],
    ]
    for (const [size, bytes] of limits)
      expect(await json(['account', 'quota', 'carol.admin', size]), size).to.deep.include({
        quota: { limitBytes: bytes, usedBytes: 0 },
      })
    expect((await events(carol.accountId)).map((e) => e.type)).to.deep.equal(
      Array<string>(6).fill('operator-quota-changed'),
    )
    expect((await admin(['account', 'quota', 'carol-admin', '-1'])).code).to.equal(ExitCode.usage)
    for (const size of ['lots', '1.5B', '10XB', '', '1e9', '99999TB', '1.0000000001KB', '0x10']) {
      const refused = await admin(['account', 'quota', 'carol-admin', size])
      expect([refused.code, refused.out], size).to.deep.equal([ExitCode.usage, ''])
      expect(refused.err).to.include('the quota is a whole number of bytes, or a number with a unit')
    }
  })

  it('devices: each device with its dates, never its encrypted name or key', async () => {
    const devices = knexDeviceRepository(db.appKnex)
    const device = aDevice(dave.accountId)
    await right(devices.add(device))
    const listed = await json<{ account: unknown; devices: Array<Record<string, unknown>> }>([
      'account',
      'devices',
      'dave-admin',
    ])
    expect(listed).to.deep.equal({
      account: { accountId: dave.accountId, username: 'dave-admin' },
      devices: [
        {
          deviceId: device.deviceId,
          createdAt: device.createdAt.toISOString(),
          lastSeenAt: device.lastSeenAt.toISOString(),
          revokedAt: null,
        },
      ],
    })
    const text = await admin(['account', 'devices', 'dave-admin'])
    expect(text.out).to.equal(
      `${device.deviceId} added ${device.createdAt.toISOString()}, last seen ${device.lastSeenAt.toISOString()}, active\n`,
    )
    for (const secret of [device.encryptedName, device.publicKey]) expect(text.out).not.to.include(secret)
    expect((await admin(['account', 'devices', 'bob-admin'])).out).to.equal('bob-admin has no devices\n')
  })

  it('sessions revoke: every session of the account ends (the durable record), and it is recorded', async function () {
    if (env['STORE'] !== 'redis') return this.skip()
    const sessions = knexSessionStore(db.appKnex)
    const session = {
      sessionId: randomUUID() as SessionId,
      accountId: dave.accountId,
      deviceId: null,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    }
    const digest = createHash('sha256').update(randomBytes(32)).digest('hex') as Sha256Hex
    await right(sessions.create(session, digest))
    expect(O.isSome(await right(sessions.findLive(session.sessionId, new Date())))).to.equal(true)
    const revoked = await admin(['account', 'sessions', 'revoke', 'dave-admin'])
    expect(revoked.code, revoked.err).to.equal(ExitCode.ok)
    expect(revoked.out).to.equal('ended every session of dave-admin: each of its devices logs in again\n')
    expect(await right(sessions.findLive(session.sessionId, new Date()))).to.deep.equal(O.none)
    expect((await events(dave.accountId)).map((e) => e.type)).to.deep.equal(['operator-sessions-revoked'])
  })

  it('delete: refused without a terminal or --yes, declined unless the username is typed back, then erases', async () => {
    const noTerminal = await admin(['account', 'delete', 'dave-admin'])
    expect([noTerminal.code, noTerminal.out]).to.deep.equal([ExitCode.usage, ''])
    expect(noTerminal.err).to.match(/account delete erases dave-admin .*: confirm with --yes \(no terminal/)
    const piped = new PassThrough()
    piped.end('dave-admin\n')
    expect((await admin(['account', 'delete', 'dave-admin'], piped)).code).to.equal(ExitCode.usage)
    for (const answer of ['dave', 'DAVE-ADMIN', null]) {
      const declined = await admin(['account', 'delete', 'dave-admin'], terminal(answer))
      expect([declined.code, declined.out], String(answer)).to.deep.equal([ExitCode.declined, ''])
      expect(declined.err).to.match(
        /Type dave-admin to confirm: zkeb-admin: not confirmed: nothing was changed\n$/,
      )
    }
    expect(await exists(dave.accountId)).to.equal(true)

    const typed = await admin(['account', 'delete', dave.accountId, '--json'], terminal('dave-admin'))
    expect(typed.code, typed.err).to.equal(ExitCode.ok)
    expect(JSON.parse(typed.out)).to.deep.equal({
      accountId: dave.accountId,
      username: 'dave-admin',
      deleted: true,
    })
    expect(await exists(dave.accountId)).to.equal(false)
    const left = await db
      .ownerKnex('zkeb.devices')
      .where({ account_id: dave.accountId })
      .count<[{ count: string }]>()
    expect(Number(left[0]?.count)).to.equal(0)

    const yes = await admin(['account', 'delete', 'Carol.admin', '--yes'])
    expect([yes.code, yes.out]).to.deep.equal([ExitCode.ok, `deleted Carol.admin ${carol.accountId}\n`])
    expect(await exists(carol.accountId)).to.equal(false)
  })

  it('exit 3, one line and nothing on stdout for an unknown account, whatever the command', async () => {
    const commands = [
      ['show', 'nobody-here'],
      ['enable', 'nobody-here'],
      ['disable', randomUUID()],
      ['quota', 'nobody-here', '1GB'],
      ['devices', 'nobody-here'],
      ['sessions', 'revoke', 'nobody-here'],
      ['delete', 'nobody-here', '--yes'],
      ['delete', 'nobody-here'],
    ]
    for (const args of commands) {
      const run = await admin(['account', ...args])
      expect([run.code, run.out, run.err], args.join(' ')).to.deep.equal([
        ExitCode.notFound,
        '',
        'zkeb-admin: no such account\n',
      ])
    }
  })

  it('exit 2 for a malformed command, before any database is opened', async () => {
    const unreachable = { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }
    const saved = env
    env = unreachable
    try {
      const usages: string[][] = [
        ['account'],
        ['account', 'frobnicate', 'alice-admin'],
        ['account', 'show'],
        ['account', 'show', 'alice-admin', 'bob-admin'],
        ['account', 'list', 'alice-admin'],
        ['account', 'list', '--limit', '0'],
        ['account', 'list', '--limit', '1001'],
        ['account', 'list', '--all', '--limit', '5'],
        ['account', 'list', '--cursor', 'not a name'],
        ['account', 'quota', 'alice-admin'],
        ['account', 'quota', 'alice-admin', '1GB', 'extra'],
        ['account', 'sessions', 'alice-admin'],
        ['account', 'sessions', 'revoke'],
        ['account', 'delete'],
        ['account', 'show', 'alice-admin', '--bogus'],
      ]
      for (const argv of usages) {
        const run = await admin(argv)
        expect([run.code, run.out], argv.join(' ')).to.deep.equal([ExitCode.usage, ''])
        expect(run.err, argv.join(' ')).to.match(/^zkeb-admin: .+\n$/)
      }
      // A well-formed command reaches for the database: unavailable (6), naming no host or user.
      expect(await admin(['account', 'show', 'alice-admin'])).to.deep.equal({
        code: ExitCode.unavailable,
        out: '',
        err: 'zkeb-admin: the database is unavailable (ECONNREFUSED)\n',
      })
    } finally {
      env = saved
    }
  })
})
