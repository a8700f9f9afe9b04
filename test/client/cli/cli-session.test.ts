import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { login, type FetchLike } from '../../../client/sdk'
import { looseRateLimits, startTestServer, type TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, optionsFor } from '../sdk/sdk-kit'
import { aTempDir } from './cli-kit'
import {
  lastTokens,
  loginsOf,
  readStateJson,
  recordingTokens,
  registered,
  statePathOf,
  type Issued,
} from './session-kit'

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
      const username = readStateJson(user).username as string
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
