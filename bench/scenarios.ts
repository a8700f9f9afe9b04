/**
 * The scenarios, each a closed loop of `connections` autocannon connections for `durationS` (the mixed workload
 * is open-loop at a fixed rate). Every request is valid: fresh signed uploads, the account's own backups, OPAQUE
 * messages from the real client.
 */
import { randomBytes } from 'node:crypto'
import type autocannon from 'autocannon'
import { loginStart, signedUpload, type BenchAccount, type Device, type SignedUpload } from './fixtures'
import { runLoad, type LoadResult } from './load'

export type Target = Readonly<{
  url: string | ReadonlyArray<string>
  pids: ReadonlyArray<number>
  token: string
}>
export type Knobs = Readonly<{ connections: number; durationS: number }>

const auth = (token: string) => ({ Authorization: `Bearer ${token}` })

export const getLoop = (t: Target, k: Knobs, path: string, authenticated = true): Promise<LoadResult> =>
  runLoad({
    url: t.url,
    connections: k.connections,
    durationS: k.durationS,
    pids: t.pids,
    requests: [{ method: 'GET', path, headers: authenticated ? auth(t.token) : {} }],
  })

/**
 * Hands out one fresh upload per request, so none is an idempotent retry. Signed ahead of the load; a faster
 * machine that drains the pool gets more signed on the fly (costing the load generator a little CPU).
 */
export const uploadPool = (device: Device, sizeBytes: number, count: number): (() => SignedUpload) => {
  const content = randomBytes(sizeBytes) // same bytes, fresh backup id and signature each time
  const pool = Array.from({ length: count }, () => signedUpload(device, content))
  let next = 0
  return () => pool[next++] ?? signedUpload(device, content)
}

const uploadRequest = (token: string, nextUpload: () => SignedUpload): autocannon.Request => ({
  method: 'PUT',
  setupRequest: (req) => {
    const u = nextUpload()
    return { ...req, method: 'PUT', path: u.path, headers: { ...u.headers, ...auth(token) }, body: u.body }
  },
})

export const uploadLoop = (t: Target, k: Knobs, nextUpload: () => SignedUpload): Promise<LoadResult> =>
  runLoad({
    url: t.url,
    connections: k.connections,
    durationS: k.durationS,
    pids: t.pids,
    requests: [uploadRequest(t.token, nextUpload)],
  })

export type LoginResult = Readonly<{
  logins: number
  seconds: number
  loginsPerS: number
  start: LoadResult
  finish: LoadResult
}>

/**
 * `count` logins, server side only: every start message is computed first, sent at full concurrency, then every
 * finish message is computed from the server's answers and sent. The client's OPAQUE work happens between the two
 * timed phases. Rate = logins / (time of all starts + time of all finishes).
 */
export const loginPairs = async (
  t: Target,
  k: Knobs,
  accounts: ReadonlyArray<BenchAccount>,
  count: number,
): Promise<LoginResult> => {
  const starts = Array.from({ length: count }, (_, i) => loginStart(accounts[i % accounts.length]!))
  const answers: Array<{ loginId: string; loginResponse: string } | undefined> = []
  let sent = 0
  const start = await runLoad({
    url: t.url,
    connections: k.connections,
    amount: count,
    pids: t.pids,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, ctx: object) => {
          const context = ctx as Record<string, number>
          const i = sent++
          context.i = i
          return {
            ...req,
            method: 'POST',
            path: '/api/v1/sessions/start',
            headers: { 'Content-Type': 'application/json' },
            body: starts[i]!.body,
          }
        },
        onResponse: (status, body, ctx: object) => {
          const context = ctx as Record<string, number>
          if (status === 200)
            answers[context.i!] = JSON.parse(body) as { loginId: string; loginResponse: string }
        },
      },
    ],
  })
  const finishes = answers.flatMap((a, i) =>
    a === undefined
      ? []
      : [JSON.stringify({ loginId: a.loginId, finishLoginRequest: starts[i]!.finish(a.loginResponse) })],
  )
  let next = 0
  const finish = await runLoad({
    url: t.url,
    connections: k.connections,
    amount: finishes.length,
    pids: t.pids,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          method: 'POST',
          path: '/api/v1/sessions/finish',
          headers: { 'Content-Type': 'application/json' },
          body: finishes[next++] ?? '',
        }),
      },
    ],
  })
  const seconds = start.seconds + finish.seconds
  const logins = finish.requests - finish.errors
  return { logins, seconds, loginsPerS: logins / seconds, start, finish }
}

/** An account of the mixed workload: its session, its own reads (its list first) and its uploads. */
export type MixedAccount = Readonly<{
  token: string
  reads: ReadonlyArray<string>
  nextUpload: () => SignedUpload
}>

/**
 * The mixed workload, open loop at `rate` requests/s in all: 70% reads (half lists, half metadata fetches), 25%
 * 4 KiB uploads, 5% logins (a start, then on the same connection its finish, computed by the client on arrival).
 * Reads and uploads go round `accounts` in turn, each to that account's own data.
 */
export const mixed = (
  t: Omit<Target, 'token'>,
  k: Knobs & { rate: number },
  accounts: ReadonlyArray<MixedAccount>,
  loginAccounts: ReadonlyArray<BenchAccount>,
): Promise<LoadResult> => {
  let picks = 0
  let turn = 0
  const json = { 'Content-Type': 'application/json' }
  type Ctx = { finish?: string; login?: ReturnType<typeof loginStart> }
  const readOf = (a: MixedAccount, roll: number) =>
    roll % 2 === 0 || a.reads.length < 2 ? a.reads[0]! : a.reads[1 + (roll % (a.reads.length - 1))]!
  return runLoad({
    url: t.url,
    connections: k.connections,
    durationS: k.durationS,
    pids: t.pids,
    overallRate: k.rate,
    requests: [
      {
        method: 'GET',
        setupRequest: (req, ctx: object) => {
          const context = ctx as Ctx
          context.login = undefined
          if (context.finish !== undefined) {
            const body = context.finish
            context.finish = undefined
            return { ...req, method: 'POST', path: '/api/v1/sessions/finish', headers: json, body }
          }
          const roll = (picks++ * 37) % 100 // a fixed, evenly spread sequence: the same mix every run
          if (roll < 95) {
            const account = accounts[turn++ % accounts.length]!
            if (roll < 70) {
              const path = readOf(account, roll)
              return { ...req, method: 'GET', path, headers: auth(account.token), body: undefined }
            }
            const u = account.nextUpload()
            const headers = { ...u.headers, ...auth(account.token) }
            return { ...req, method: 'PUT', path: u.path, headers, body: u.body }
          }
          context.login = loginStart(loginAccounts[picks % loginAccounts.length]!)
          return {
            ...req,
            method: 'POST',
            path: '/api/v1/sessions/start',
            headers: json,
            body: context.login.body,
          }
        },
        onResponse: (status, body, ctx: object) => {
          const context = ctx as Ctx
          if (context.login === undefined || status !== 200) return
          const { loginId, loginResponse } = JSON.parse(body) as { loginId: string; loginResponse: string }
          context.finish = JSON.stringify({
            loginId,
            finishLoginRequest: context.login.finish(loginResponse),
          })
        },
      },
    ],
  })
}
