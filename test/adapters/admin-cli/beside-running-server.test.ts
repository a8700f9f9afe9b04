/**
 * The installed `zkeb-admin` (bin.js, a process of its own) beside a running server started as `npm start`
 * starts it: embedded PostgreSQL in DATA_DIR, whose lock the server holds, sessions in the server's memory
 * (STORE=memory, the default). Every account command reaches the server through DATA_DIR/admin.sock, so its
 * effects are the server's own: a disabled account's token stops working at once, the quota is what the API
 * reports, and the operator's events are in the user's own audit trail (what the activity view shows).
 * `account delete` is confirmed on a real terminal (util-linux `script` gives it a pty). On SIGTERM the server
 * stops serving the socket and exits 0.
 */
import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ExitCode } from '../../../adapters/admin-cli/output'
import {
  addDeviceOverHttp,
  httpCaller,
  type HttpAccount,
  jsonOf,
  logInOverHttp,
  registerOverHttp,
} from '../http/http-test-kit'
import { healthBecomes, listeningPort, type ServerProcess, spawnServer } from '../../support/server-process'

type Run = Readonly<{ code: number | null; out: string; err: string }>

const bin = path.resolve(__dirname, '../../../adapters/admin-cli/bin.js')
const hasScript = spawnSync('script', ['--version']).status === 0

describe('zkeb-admin beside a running server (embedded PostgreSQL, DATA_DIR held)', function () {
  this.timeout(300_000)
  let work: string
  let env: NodeJS.ProcessEnv
  let server: ServerProcess
  let call: ReturnType<typeof httpCaller>
  let user: HttpAccount

  /** `zkeb-admin ARGS` as an operator runs it, with the server's configuration; stdin is not a terminal. */
  const admin = (args: ReadonlyArray<string>): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...env, LOG_LEVEL: 'silent' },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
      child.stdin.end()
      child.once('close', (code) => resolve({ code, out, err }))
    })
  const json = async <T = Record<string, unknown>>(args: ReadonlyArray<string>): Promise<T> => {
    const run = await admin([...args, '--json'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    return JSON.parse(run.out) as T
  }
  const status = async (token: string) => (await call('GET', '/api/v1/account', { token })).status
  const auditTypes = async (who: HttpAccount) => {
    const { accessToken } = await logInOverHttp({ call }, who)
    const res = await call('GET', '/api/v1/audit?limit=100', { token: accessToken })
    expect(res.status).to.equal(200)
    return (await jsonOf<{ items: Array<{ type: string }> }>(res)).items.map((e) => e.type)
  }
  const refusedLogin = (who: HttpAccount) =>
    logInOverHttp({ call }, who).then(
      () => 'logged in',
      () => 'refused',
    )

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'zkeb-admin-live-'))
    await chmod(work, 0o711) // as root, the embedded PostgreSQL runs as `postgres` and must enter DATA_DIR
    env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(work, 'data'),
      LOG_LEVEL: 'info',
      OPAQUE_WORKERS: '1',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_REGISTRATION_PER_MINUTE: '10000',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000',
    }
    server = spawnServer(env, true)
    const base = `http://127.0.0.1:${await listeningPort(server, 120_000)}`
    await healthBecomes(base, 200, 120_000)
    call = httpCaller(base)
    user = await registerOverHttp({ call })
  })
  after(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGKILL')
      await server.exited
    }
    await rm(work, { recursive: true, force: true })
  })

  it('serves list, show and stats through the socket (mode 0600) while it holds DATA_DIR', async () => {
    const dataDir = env['DATA_DIR']!
    expect(Number(await readFile(path.join(dataDir, 'zkeb.lock'), 'utf8'))).to.equal(server.child.pid)
    expect((await stat(path.join(dataDir, 'admin.sock'))).mode & 0o777).to.equal(0o600)
    const listed = await json<{ items: Array<{ username: string }> }>(['account', 'list'])
    expect(listed.items.map((a) => a.username)).to.deep.equal([user.username])
    expect(await json(['account', 'show', user.username])).to.deep.include({ accountId: user.accountId })
    expect(await json(['stats'])).to.deep.include({ accounts: 1, disabledAccounts: 0 })
    expect(await admin(['account', 'show', 'nosuchuser'])).to.deep.equal({
      code: ExitCode.notFound,
      out: '',
      err: 'zkeb-admin: no such account\n',
    })
    // What needs the database to itself says so, and why.
    const backfill = await admin(['backfill', 'status'])
    expect(backfill.code).to.equal(ExitCode.unavailable)
    expect(backfill.err).to.match(
      /is in use by another ZKEB process .*only `account` and `stats` run beside it/,
    )
  })

  it('disable ends the sessions the server holds at once; enable lets the user back; both in their trail', async () => {
    const { accessToken } = await logInOverHttp({ call }, user)
    expect(await status(accessToken)).to.equal(200)
    expect((await admin(['account', 'disable', user.username])).code).to.equal(ExitCode.ok)
    expect(await status(accessToken)).to.equal(401)
    expect(await refusedLogin(user)).to.equal('refused')
    expect((await admin(['account', 'enable', user.username])).code).to.equal(ExitCode.ok)
    const types = await auditTypes(user)
    expect(types.filter((t) => t.startsWith('operator-'))).to.deep.equal([
      'operator-account-disabled',
      'operator-account-enabled',
    ])
  })

  it('quota with a unit is what the API reports; devices lists the device; sessions revoke ends them', async () => {
    const { accessToken } = await logInOverHttp({ call }, user)
    const { deviceId } = await addDeviceOverHttp({ call }, accessToken)
    expect(await json(['account', 'quota', user.username, '5GiB'])).to.deep.include({
      quota: { limitBytes: 5 * 1024 ** 3, usedBytes: 0 },
    })
    const account = await jsonOf<{ quota: unknown }>(
      await call('GET', '/api/v1/account', { token: accessToken }),
    )
    expect(account.quota).to.deep.equal({ limitBytes: 5 * 1024 ** 3, usedBytes: 0 })
    const devices = await json<{ devices: Array<{ deviceId: string }> }>([
      'account',
      'devices',
      user.username,
    ])
    expect(devices.devices.map((d) => d.deviceId)).to.deep.equal([deviceId])
    const revoked = await admin(['account', 'sessions', 'revoke', user.accountId])
    expect(revoked.code, revoked.err).to.equal(ExitCode.ok)
    expect(await status(accessToken)).to.equal(401)
    expect((await auditTypes(user)).filter((t) => t.startsWith('operator-')).slice(2)).to.deep.equal([
      'operator-quota-changed',
      'operator-sessions-revoked',
    ])
  })

  it('delete: refused without a terminal, confirmed on one by typing the username; the user is gone', async function () {
    const refused = await admin(['account', 'delete', user.username])
    expect(refused.code).to.equal(ExitCode.usage)
    expect(refused.err).to.match(/confirm with --yes \(no terminal to ask on\)/)
    if (!hasScript) {
      expect((await admin(['account', 'delete', user.username, '--yes'])).code).to.equal(ExitCode.ok)
    } else {
      const command = [process.execPath, bin, 'account', 'delete', user.username].join(' ')
      const typed = spawnSync('script', ['-qec', command, '/dev/null'], {
        env: { ...env, LOG_LEVEL: 'silent' },
        input: `${user.username}\n`,
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(typed.status, typed.stdout).to.equal(ExitCode.ok)
      expect(typed.stdout).to.include(`Type ${user.username} to confirm:`)
      expect(typed.stdout).to.include(`deleted ${user.username} ${user.accountId}`)
    }
    expect((await admin(['account', 'show', user.accountId])).code).to.equal(ExitCode.notFound)
    expect(await refusedLogin(user)).to.equal('refused')
  })

  it('on SIGTERM stops serving the socket, removes it, and exits 0', async () => {
    server.child.kill('SIGTERM')
    expect((await server.exited).code).to.equal(0)
    expect(await stat(path.join(env['DATA_DIR']!, 'admin.sock')).catch(() => 'gone')).to.equal('gone')
  })
})
