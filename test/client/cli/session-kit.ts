/**
 * What the CLI session suites share: a fetch that records the tokens the server hands out, the count of OPAQUE
 * logins the server recorded (audit events), and a registered CLI user.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { AccountId } from '../../../domain/ids'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aUsername } from '../sdk/sdk-kit'
import { aCliUser, interceptingFetch, type CliUser } from './cli-kit'

export type Tokens = { accessToken: string; refreshToken: string }
export type Issued = { path: 'finish' | 'refresh'; status: number; tokens?: Tokens }

/** A fetch that records every token pair the server hands out (login finish and refresh). */
export const recordingTokens = (issued: Issued[]) =>
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

export const lastTokens = (issued: ReadonlyArray<Issued>): Tokens => {
  const withTokens = issued.filter((i) => i.tokens !== undefined)
  return withTokens[withTokens.length - 1]!.tokens!
}

/** OPAQUE logins the server has recorded for the account (audit events of type `login`). */
export const loginsOf = async (server: TestServer, accountId: string): Promise<number> => {
  const events = await server.zkeb.ports.audit.list(accountId as AccountId, {
    limit: 10_000,
    cursor: O.none,
  })()
  if (E.isLeft(events)) throw new Error('audit unavailable')
  return events.right.filter((e) => e.type === 'login').length
}

export const statePathOf = (user: CliUser): string => join(user.configDir, 'state.json')
export const readStateJson = (user: CliUser) =>
  JSON.parse(readFileSync(statePathOf(user), 'utf8')) as Record<string, unknown>

/** Registers a CLI user; resolves to it with its account id. */
export const registered = async (
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
