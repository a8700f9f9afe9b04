/**
 * The admin socket on its own: served with mode 0600, a stale socket replaced, anything else left alone; a
 * request it does not understand refused before any use case runs; failures carried as their tag and plain
 * fields only, mapped by zkeb-admin to its exit codes (4, 6 included, which the database rarely produces); log
 * lines that name the account by hash, never by name. Use cases are stand-ins here; the real ones are driven
 * through the socket in beside-running-server.test.ts.
 */
import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, stat, writeFile, readFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import * as TE from 'fp-ts/TaskEither'
import type { AccountAdminView } from '../../../application/admin'
import { unavailable } from '../../../application/errors'
import { versionMismatch } from '../../../domain/errors'
import type { AccountId, Username } from '../../../domain/ids'
import type { AdminHost } from '../../../adapters/admin-cli/host'
import { runAdmin } from '../../../adapters/admin-cli/main'
import { ExitCode } from '../../../adapters/admin-cli/output'
import { isServed, servedAdminAt } from '../../../adapters/admin-cli/socket-client'
import type { ServedAdmin } from '../../../adapters/admin-cli/socket-protocol'
import { type AdminSocketServer, serveAdminSocket } from '../../../adapters/admin-cli/socket-server'

const view: AccountAdminView = {
  accountId: randomUUID() as AccountId,
  username: 'erin-socket' as Username,
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  disabledAt: null,
  keyBundleVersion: 3,
  quota: { limitBytes: 1024, usedBytes: 10 },
}
const secret = 'postgres://zkeb:s3cr3t-password@db/zkeb'

/** Stand-in use cases: every call is recorded; `quota` answers VersionMismatch, `disable` Unavailable. */
const standIn = (calls: string[]): ServedAdmin => {
  const called =
    <A>(name: string, answer: A) =>
    (...args: unknown[]) => {
      calls.push(`${name} ${JSON.stringify(args)}`)
      return TE.right(answer)
    }
  return {
    listAccounts: called('listAccounts', { items: [view], nextCursor: null }),
    showAccount: called('showAccount', view),
    enableAccount: called('enableAccount', view),
    disableAccount: () => TE.left(unavailable('postgres')(new Error(secret))),
    setAccountQuota: () => TE.left(versionMismatch(4)),
    deleteAccount: called('deleteAccount', { accountId: view.accountId, username: view.username }),
    listAccountDevices: called('listAccountDevices', { account: view, devices: [] }),
    revokeAccountSessions: called('revokeAccountSessions', view),
    getServiceStats: called('getServiceStats', {
      accounts: 1,
      disabledAccounts: 0,
      liveBackups: 0,
      trashedBackups: 0,
      backupBytes: 0,
      blobs: 0,
      blobBytes: 0,
    }),
  }
}

/** One raw line to the socket; resolves with what came back before it closed. */
const raw = (socketPath: string, text: string): Promise<string> =>
  new Promise((resolve) => {
    let received = ''
    const c = net.connect(socketPath, () => c.write(text))
    c.setEncoding('utf8')
    c.on('data', (chunk: string) => (received += chunk))
    c.on('error', () => undefined)
    c.once('close', () => resolve(received))
  })

describe('zkeb-admin admin socket', function () {
  this.timeout(30_000)
  let dir: string
  let socketPath: string
  let server: AdminSocketServer | null
  let calls: string[]
  let logged: Array<Record<string, unknown>>
  const log = {
    info: (fields: Record<string, unknown>) => void logged.push(fields),
    warn: (fields: Record<string, unknown>) => void logged.push({ warn: true, ...fields }),
    account: (accountId: string) => `hash-of-${accountId.slice(0, 4)}`,
  }

  const cli = async (argv: string[]) => {
    let out = ''
    let err = ''
    const host = {
      withServed: (requestId: string, work: (admin: ServedAdmin) => Promise<number>) =>
        work(servedAdminAt(socketPath, requestId)),
    } as unknown as AdminHost
    const code = await runAdmin(
      argv,
      { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} },
      () => host,
    )
    return { code, out, err }
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-admin-socket-'))
    socketPath = path.join(dir, 'admin.sock')
    calls = []
    logged = []
    server = await serveAdminSocket(socketPath, standIn(calls), log)
  })
  afterEach(async () => {
    await server?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('is a socket of mode 0600, served until closed, then gone', async () => {
    const found = await stat(socketPath)
    expect(found.isSocket()).to.equal(true)
    expect(found.mode & 0o777).to.equal(0o600)
    expect(await isServed(socketPath)).to.equal(true)
    await server!.close()
    server = null
    expect(await isServed(socketPath)).to.equal(false)
    expect(await stat(socketPath).catch(() => 'gone')).to.equal('gone')
  })

  it('replaces a socket left by a killed server, and leaves a path that is not a socket alone', async () => {
    await server!.close()
    const stale = path.join(dir, 'stale.sock')
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ])
    expect((await stat(stale)).isSocket()).to.equal(true)
    expect(await isServed(stale)).to.equal(false)
    server = await serveAdminSocket(stale, standIn(calls), log)
    expect(await isServed(stale)).to.equal(true)
    await server!.close()

    const file = path.join(dir, 'not-a-socket')
    await writeFile(file, 'keep me')
    server = await serveAdminSocket(file, standIn(calls), log)
    expect(server).to.equal(null)
    expect(await readFile(file, 'utf8')).to.equal('keep me')
    expect(logged).to.deep.include({
      warn: true,
      path: file,
      reason: 'the path exists and is not a socket',
    })
  })

  it('refuses what it does not understand before any use case runs', async () => {
    const request = (op: string, args: unknown, v = 1) =>
      `${JSON.stringify({ v, op, requestId: 'zkeb-admin:t', args })}\n`
    const refusals = [
      'not json\n',
      request('dropDatabase', {}),
      request('showAccount', { ref: { username: 'x' } }),
      request('showAccount', { ref: { accountId: 'not-a-uuid' } }),
      request('setAccountQuota', { ref: { username: 'erin-socket' }, limitBytes: -1 }),
      request('setAccountQuota', { ref: { username: 'erin-socket' }, limitBytes: 1.5 }),
      request('listAccounts', { after: null, limit: 5 }, 2),
      `${JSON.stringify({ v: 1, op: 'showAccount', requestId: 'bad id with spaces', args: {} })}\n`,
    ]
    for (const text of refusals)
      expect(await raw(socketPath, text), text).to.equal('{"error":{"_tag":"BadRequest"}}\n')
    expect(await raw(socketPath, 'x'.repeat(20_000))).to.equal('')
    expect(calls).to.deep.equal([])
  })

  it('answers results and failures; zkeb-admin maps them to its exit codes, never showing a cause', async () => {
    const shown = await cli(['account', 'show', 'erin-socket', '--json'])
    expect(shown.code).to.equal(ExitCode.ok)
    expect(JSON.parse(shown.out)).to.deep.equal({ ...view, createdAt: view.createdAt.toISOString() })
    expect(calls).to.deep.equal([`showAccount [{"username":"erin-socket"}]`])

    expect(await cli(['account', 'quota', 'erin-socket', '1GiB'])).to.deep.equal({
      code: ExitCode.conflict,
      out: '',
      err: 'zkeb-admin: the account changed meanwhile; run the command again\n',
    })
    const answer = await raw(
      socketPath,
      `${JSON.stringify({ v: 1, op: 'disableAccount', requestId: 'r', args: { ref: { accountId: view.accountId } } })}\n`,
    )
    expect(answer).to.equal('{"error":{"_tag":"Unavailable","dependency":"postgres"}}\n')
    expect(await cli(['account', 'disable', 'erin-socket'])).to.deep.equal({
      code: ExitCode.unavailable,
      out: '',
      err: 'zkeb-admin: postgres is unavailable\n',
    })
    const deleted = await cli(['account', 'delete', 'erin-socket', '--yes'])
    expect(deleted).to.deep.equal({
      code: ExitCode.ok,
      out: `deleted erin-socket ${view.accountId}\n`,
      err: '',
    })
  })

  it('logs the operation, the request id, the outcome and the account by hash, never a name or a cause', async () => {
    await cli(['account', 'show', 'erin-socket'])
    await cli(['account', 'disable', 'erin-socket'])
    const [shown, failed] = logged
    expect(shown).to.deep.include({ op: 'showAccount', outcome: 'ok', account: log.account(view.accountId) })
    expect(shown?.['requestId']).to.match(/^zkeb-admin:[0-9a-f-]{36}$/)
    expect(failed).to.deep.include({ op: 'disableAccount', outcome: 'Unavailable' })
    const text = JSON.stringify(logged)
    for (const hidden of ['erin-socket', view.accountId, 's3cr3t']) expect(text).not.to.include(hidden)
  })

  it('is unavailable (6) when the socket closes without answering or answers what does not decode', async () => {
    await server!.close()
    server = null
    const liar = net.createServer((c) =>
      c.once('data', () => c.end(JSON.stringify({ ok: { accountId: 'nope' } }) + '\n')),
    )
    const mute = net.createServer((c) => c.once('data', () => c.destroy()))
    for (const [fake, reason] of [
      [liar, 'an answer that does not decode'],
      [mute, 'closed before answering'],
    ] as const) {
      await new Promise<void>((resolve) => fake.listen(socketPath, resolve))
      try {
        const run = await cli(['account', 'show', 'erin-socket'])
        expect([run.code, run.out, run.err], reason).to.deep.equal([
          ExitCode.unavailable,
          '',
          "zkeb-admin: the running server's admin socket is unavailable\n",
        ])
      } finally {
        await new Promise((resolve) => fake.close(resolve))
      }
    }
  })
})
