import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { login, type FetchLike } from '../../../client/sdk'
import type { AccountId } from '../../../domain/ids'
import { looseRateLimits, startTestServer, type TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername, optionsFor, right } from '../sdk/sdk-kit'
import { aCliUser, aTempDir, interceptingFetch, type CliUser } from './cli-kit'

type Tokens = { accessToken: string; refreshToken: string }
type Issued = { path: 'finish' | 'refresh'; status: number; tokens?: Tokens }

/** A fetch that records every token pair the server hands out (login finish and refresh). */
const recordingTokens = (issued: Issued[]) =>
  interceptingFetch(async (url, _init, res) => {
    const path = new URL(url).pathname
    if (path === '/api/v1/sessions/finish' || path === '/api/v1/sessions/refresh') {
      const body = (await res.clone().json()) as Tokens
      issued.push({
        path: path.endsWith('finish') ? 'finish' : 'refresh',
        status: res.status,
        ...(res.status === 200 ? { tokens: body } : {}),
      })
    }
    return res
  })

const lastTokens = (issued: ReadonlyArray<Issued>): Tokens => {
  const withTokens = issued.filter((i) => i.tokens !== undefined)
  return withTokens[withTokens.length - 1]!.tokens!
}

/** OPAQUE logins the server has recorded for the account (audit events of type `login`). */
const loginsOf = async (server: TestServer, accountId: string): Promise<number> => {
  const events = await server.zkeb.ports.audit.list(accountId as AccountId, {
    limit: 10_000,
    cursor: O.none,
  })()
  if (E.isLeft(events)) throw new Error('audit unavailable')
  return events.right.filter((e) => e.type === 'login').length
}

const statePathOf = (user: CliUser): string => join(user.configDir, 'state.json')
const readStateJson = (user: CliUser) =>
  JSON.parse(readFileSync(statePathOf(user), 'utf8')) as Record<string, unknown>

/** Registers a CLI user; resolves to it with its account id. */
const registered = async (
  server: TestServer,
  password: string,
  extra: { fetch?: ReturnType<typeof interceptingFetch> } = {},
) => {
  const user = aCliUser(server.base)
  const result = await user.run(['register', aUsername(), '--json'], {
    env: { ZKEB_PASSWORD: password },
    ...extra,
  })
  expect(result.code, result.stderr).to.equal(0)
  const { accountId, deviceId } = JSON.parse(result.stdout) as { accountId: string; deviceId: string }
  return { user, accountId, deviceId }
}

describe('zkeb keeps its session between commands', function () {
  this.timeout(60_000)
  let server: TestServer
  const password = aPassword()
  const withPassword = { env: { ZKEB_PASSWORD: password } }

  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  it('runs 15 commands after one login with exactly one OPAQUE login, under the real login rate limit', async () => {
    const limited = await startTestServer({
      rateLimits: { ...looseRateLimits, login: defaultRateLimitRules.login },
    })
    try {
      const { user, accountId } = await registered(limited, password)
      const username = (readStateJson(user).username as string) ?? ''
      const before = await loginsOf(limited, accountId)
      const loggedIn = await user.run(['login', username], withPassword)
      expect(loggedIn.code, loggedIn.stderr).to.equal(0)
      const file = join(aTempDir(), 'notes.txt')
      writeFileSync(file, 'kept session')
      const pushed = await user.run(['push', file, '--json'], withPassword)
      expect(pushed.code, pushed.stderr).to.equal(0)
      const backupId = (JSON.parse(pushed.stdout) as Array<{ backupId: string }>)[0]!.backupId
      const script = [
        ['whoami'],
        ['ls'],
        ['quota'],
        ['devices'],
        ['audit'],
        ['pull', backupId, '-o', join(aTempDir(), 'back.txt')],
        ['rm', backupId],
        ['ls', '--trash'],
        ['restore', backupId],
        ['restic-token', 'ls'],
        ['whoami'],
        ['ls'],
        ['quota'],
        ['devices'],
      ]
      for (const argv of script) {
        const result = await user.run(argv, withPassword)
        expect(result.code, `${argv.join(' ')}: ${result.stderr}`).to.equal(0)
      }
      expect(script.length + 1).to.equal(15) // push + the script
      expect((await loginsOf(limited, accountId)) - before).to.equal(1)

      // The limit is real: logins without a kept session are refused within the same minute.
      const options = optionsFor(limited, { retry: { maxAttempts: 1 } })
      const outcomes: string[] = []
      for (let i = 0; i < 11; i++) {
        const attempt = await login(options, { username, password })
        outcomes.push(
          E.isRight(attempt)
            ? 'ok'
            : attempt.left._tag === 'ApiError'
              ? String(attempt.left.status)
              : attempt.left._tag,
        )
      }
      expect(outcomes).to.include('429')
    } finally {
      await limited.close()
    }
  })

  it('refreshes an expired access token and keeps the rotated refresh token (a second refresh works)', async () => {
    const { user, accountId } = await registered(server, password)
    const logins = await loginsOf(server, accountId)
    const sealedBefore = readStateJson(user).session
    const issued: Issued[] = []
    server.zkeb.clock.advance(16 * 60 * 1000)
    const first = await user.run(['ls'], { ...withPassword, fetch: recordingTokens(issued) })
    expect(first.code, first.stderr).to.equal(0)
    expect(issued.map((i) => [i.path, i.status])).to.deep.equal([['refresh', 200]])
    expect(readStateJson(user).session).not.to.equal(sealedBefore)
    server.zkeb.clock.advance(16 * 60 * 1000)
    const second = await user.run(['quota'], { ...withPassword, fetch: recordingTokens(issued) })
    expect(second.code, second.stderr).to.equal(0)
    expect(issued.map((i) => [i.path, i.status])).to.deep.equal([
      ['refresh', 200],
      ['refresh', 200],
    ])
    expect(issued[1]!.tokens!.refreshToken).not.to.equal(issued[0]!.tokens!.refreshToken)
    expect(await loginsOf(server, accountId)).to.equal(logins)
  })

  it('refreshes a kept access token it knows has expired before using it (no 401 first)', async () => {
    const { user } = await registered(server, password)
    const statuses: Array<[string, number]> = []
    const watching: FetchLike = async (url, init) => {
      const res = await fetch(url, init)
      statuses.push([new URL(url).pathname, res.status])
      return res
    }
    server.zkeb.clock.advance(16 * 60 * 1000)
    const later = () => Date.now() + 16 * 60 * 1000
    const listed = await user.run(['ls'], { ...withPassword, fetch: watching, now: later })
    expect(listed.code, listed.stderr).to.equal(0)
    expect(statuses[0]).to.deep.equal(['/api/v1/sessions/refresh', 200])
    expect(statuses.filter(([, status]) => status === 401)).to.deep.equal([])
  })

  it('refreshes on a 401 in the middle of a command and keeps the rotated refresh token', async () => {
    const { user, accountId } = await registered(server, password)
    const logins = await loginsOf(server, accountId)
    const issued: Issued[] = []
    let refusedOnce = false
    const recording = recordingTokens(issued)
    /** Answers the first backup listing with a 401, as the server does for an access token that just expired. */
    const refuseFirstList: FetchLike = async (url, init) => {
      if (refusedOnce || new URL(url).pathname !== '/api/v1/backups') return recording(url, init)
      refusedOnce = true
      const body = {
        error: { code: 'unauthenticated', message: 'expired', retryable: false, requestId: 'r' },
      }
      return new Response(JSON.stringify(body), {
        status: 401,
        headers: { 'Content-Type': 'application/json' },
      })
    }
    const listed = await user.run(['ls'], { ...withPassword, fetch: refuseFirstList })
    expect(listed.code, listed.stderr).to.equal(0)
    expect(refusedOnce).to.equal(true)
    expect(issued.map((i) => [i.path, i.status])).to.deep.equal([['refresh', 200]])
    server.zkeb.clock.advance(16 * 60 * 1000)
    const next = await user.run(['ls'], { ...withPassword, fetch: recordingTokens(issued) })
    expect(next.code, next.stderr).to.equal(0)
    expect(issued.map((i) => [i.path, i.status])).to.deep.equal([
      ['refresh', 200],
      ['refresh', 200],
    ])
    expect(await loginsOf(server, accountId)).to.equal(logins)
  })

  it('ends the session on the server at logout, keeps the device for the next login, and then exits 3', async () => {
    const issued: Issued[] = []
    const { user, deviceId } = await registered(server, password, { fetch: recordingTokens(issued) })
    const kept = lastTokens(issued)
    const whoami = await user.run(['whoami'], { ...withPassword, fetch: recordingTokens(issued) })
    expect(whoami.code, whoami.stderr).to.equal(0)
    expect(lastTokens(issued)).to.deep.equal(kept) // not rotated since: `kept` is the live refresh token
    const out = await user.run(['logout'], withPassword)
    expect(out.code, out.stderr).to.equal(0)
    const refreshed = await server.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: kept.refreshToken },
    })
    expect(refreshed.status).to.equal(401)
    expect(((await refreshed.json()) as { error: { code: string } }).error.code).to.equal(
      'invalid-refresh-token',
    )
    expect((await server.call('GET', '/api/v1/account', { token: kept.accessToken })).status).to.equal(401)
    expect(readStateJson(user)).not.to.have.any.keys('session', 'unlock')
    expect((await user.run(['ls'], withPassword)).code).to.equal(3)
    const again = await user.run(['login', '--json'], withPassword)
    expect(again.code, again.stderr).to.equal(0)
    expect((JSON.parse(again.stdout) as { deviceId: string }).deviceId).to.equal(deviceId)
    expect((await user.run(['ls'], withPassword)).code).to.equal(0)
  })

  it('keeps a 0600 state file holding neither the tokens nor the UMK in clear', async () => {
    const issued: Issued[] = []
    const { user } = await registered(server, password, { fetch: recordingTokens(issued) })
    const state = readStateJson(user)
    expect(state.version).to.equal(2)
    expect(state).to.include.keys('session', 'unlock')
    expect(statSync(statePathOf(user)).mode & 0o777).to.equal(0o600)
    const { umk } = right(await login(optionsFor(server), { username: state.username as string, password }))
    const bytes = readFileSync(statePathOf(user))
    const kept = lastTokens(issued)
    const umkForms = [
      Buffer.from(umk),
      ...(['base64', 'base64url', 'hex'] as const).map((f) => Buffer.from(umk).toString(f)),
    ]
    for (const secret of [kept.refreshToken, kept.accessToken, password, ...umkForms])
      expect(bytes.includes(secret), 'a secret in clear').to.equal(false)
  })

  it('refuses a wrong password with exit 4 and leaves the state as it was', async () => {
    const { user, accountId } = await registered(server, password)
    const before = readFileSync(statePathOf(user))
    const logins = await loginsOf(server, accountId)
    const wrong = await user.run(['ls'], { env: { ZKEB_PASSWORD: 'not-the-password' } })
    expect(wrong.code).to.equal(4)
    expect(wrong.stderr).to.match(/^zkeb: wrong username or password\n$/)
    expect(readFileSync(statePathOf(user)).equals(before)).to.equal(true)
    expect((await user.run(['ls'], withPassword)).code).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(logins)
  })

  it('refuses a session or unlock blob taken from another account or device', async () => {
    const a = await registered(server, password)
    const b = await registered(server, password)
    const stateA = readStateJson(a.user)
    const stateB = readStateJson(b.user)
    const tryWith = async (state: Record<string, unknown>) => {
      writeFileSync(statePathOf(a.user), JSON.stringify(state))
      const result = await a.user.run(['ls'], withPassword)
      expect(readFileSync(statePathOf(a.user), 'utf8')).to.equal(JSON.stringify(state)) // nothing rewritten
      return result
    }
    const swappedSession = await tryWith({ ...stateA, session: stateB.session })
    expect(swappedSession.code).to.equal(10)
    expect(swappedSession.stderr).to.match(/^zkeb: local state .*state\.json is corrupted; [^\n]*\n$/)
    const swappedBoth = await tryWith({ ...stateA, session: stateB.session, unlock: stateB.unlock })
    expect(swappedBoth.code).to.equal(4)
    const otherDevice = await tryWith({ ...stateA, deviceId: b.deviceId })
    expect(otherDevice.code).to.equal(4)
    const garbage = await tryWith({ ...stateA, session: '%%not base64%%' })
    expect(garbage.code).to.equal(10)
  })

  it('logs in once when the kept session was revoked, and keeps the new one', async () => {
    const issued: Issued[] = []
    const { user, accountId } = await registered(server, password, { fetch: recordingTokens(issued) })
    const revoked = await server.call('DELETE', '/api/v1/sessions/current', {
      token: lastTokens(issued).accessToken,
    })
    expect(revoked.status).to.equal(204)
    const logins = await loginsOf(server, accountId)
    const first = await user.run(['ls'], withPassword)
    expect(first.code, first.stderr).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(logins + 1)
    expect((await user.run(['ls'], withPassword)).code).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(logins + 1)
  })

  it('after a password change on another machine, `zkeb login` with the new password resumes the same device', async () => {
    const { user, deviceId } = await registered(server, password)
    const username = readStateJson(user).username as string
    const other = aCliUser(server.base)
    expect((await other.run(['login', username], withPassword)).code).to.equal(0)
    const newPassword = aPassword()
    const changed = await other.run(['passwd'], {
      env: { ZKEB_PASSWORD: password, ZKEB_NEW_PASSWORD: newPassword },
    })
    expect(changed.code, changed.stderr).to.equal(0)
    expect((await other.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(0)
    expect((await user.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(4)
    expect((await user.run(['ls'], withPassword)).code).to.equal(4) // its session ended, the old password is refused
    const again = await user.run(['login', '--json'], { env: { ZKEB_PASSWORD: newPassword } })
    expect(again.code, again.stderr).to.equal(0)
    expect((JSON.parse(again.stdout) as { deviceId: string }).deviceId).to.equal(deviceId)
    expect((await user.run(['ls'], { env: { ZKEB_PASSWORD: newPassword } })).code).to.equal(0)
  })

  it('reads a version 1 state file: the first command logs in once and writes version 2', async () => {
    const { user, accountId } = await registered(server, password)
    const { session: _s, unlock: _u, ...identity } = readStateJson(user)
    writeFileSync(statePathOf(user), JSON.stringify({ ...identity, version: 1 }))
    const logins = await loginsOf(server, accountId)
    expect((await user.run(['whoami'], withPassword)).code).to.equal(0)
    expect(readStateJson(user)).to.include({ version: 2 }).and.to.include.keys('session', 'unlock')
    expect((await user.run(['whoami'], withPassword)).code).to.equal(0)
    expect(await loginsOf(server, accountId)).to.equal(logins + 1)
  })
})
