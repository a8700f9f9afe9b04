/**
 * `npm run bench:opaque`: the floor of a login's server cost, without HTTP, PostgreSQL or Redis. In one process it
 * times the OPAQUE server steps (`startLogin`, `finishLogin`) on the main thread, then through the worker pool
 * (OPAQUE_WORKERS threads, default the CPU count) with BENCH_OPAQUE_IN_FLIGHT calls in flight (default 32):
 * CPU µs per step (process CPU, threads included), steps/s, and the longest event-loop stall while they ran.
 * BENCH_OPAQUE_COUNT logins per phase (default 400). The client's messages are computed before each timed phase.
 */
import * as opaque from '@serenity-kit/opaque'
import { availableParallelism } from 'node:os'
import type { OpaqueServer } from '../application/ports/opaque-server'
import type { OpaqueRecord } from '../domain/account'
import { pooledOpaqueServer } from '../adapters/crypto/pooled-opaque-server'
import { createOpaqueServerSetup, serenityOpaqueServer } from '../adapters/crypto/serenity-opaque-server'
import { keyStretching } from './fixtures'

const count = Number(process.env.BENCH_OPAQUE_COUNT ?? 400)
const inFlight = Number(process.env.BENCH_OPAQUE_IN_FLIGHT ?? 32)
const workers = Number(process.env.OPAQUE_WORKERS ?? availableParallelism())
const password = 'correct horse battery staple'

type Phase = Readonly<{ cpuUsPerStep: number; perS: number; maxStallMs: number }>

/**
 * The longest time the event loop went without a turn: a setImmediate chain notes each gap. (perf_hooks'
 * monitorEventLoopDelay records nothing while steps that never yield starve its timer.)
 */
const stallWatch = () => {
  let last = performance.now()
  let max = 0
  let on = true
  const tick = () => {
    const now = performance.now()
    max = Math.max(max, now - last)
    last = now
    if (on) setImmediate(tick)
  }
  setImmediate(tick)
  return () => {
    on = false
    return Math.max(max, performance.now() - last)
  }
}

/** Runs `steps` with at most `inFlight` pending; returns CPU per step, rate and the longest loop stall. */
const timed = async (steps: ReadonlyArray<() => Promise<unknown>>): Promise<Phase> => {
  const stopWatch = stallWatch()
  const cpu = process.cpuUsage()
  const began = performance.now()
  let next = 0
  const lane = async () => {
    while (next < steps.length) await steps[next++]!()
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  const ms = performance.now() - began
  const used = process.cpuUsage(cpu)
  return {
    cpuUsPerStep: (used.user + used.system) / steps.length,
    perS: (steps.length * 1000) / ms,
    maxStallMs: stopWatch(),
  }
}

const registered = async (server: OpaqueServer, username: string): Promise<OpaqueRecord> => {
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
  const response = await server.registrationResponse(username, registrationRequest)()
  if (response._tag === 'Left') throw new Error('registration failed')
  return opaque.client.finishRegistration({
    clientRegistrationState,
    registrationResponse: response.right,
    password,
    keyStretching,
  }).registrationRecord as OpaqueRecord
}

const must = <A>(result: { _tag: 'Left' } | { _tag: 'Right'; right: A }): A => {
  if (result._tag === 'Left') throw new Error('an OPAQUE step failed')
  return result.right
}

/** `count` logins against one server: the start phase, then the finish phase, each timed alone. */
const measure = async (server: OpaqueServer, record: OpaqueRecord) => {
  const clients = Array.from({ length: count }, () => opaque.client.startLogin({ password }))
  const started: Array<{ loginResponse: string; serverLoginState: string }> = []
  const start = await timed(
    clients.map((c, i) => async () => {
      started[i] = must(await server.startLogin('bench', record, c.startLoginRequest)())
    }),
  )
  const finishes = clients.map((c, i) => {
    const done = opaque.client.finishLogin({
      clientLoginState: c.clientLoginState,
      loginResponse: started[i]!.loginResponse,
      password,
      keyStretching,
    })
    if (done === undefined) throw new Error('the client refused the server')
    return done.finishLoginRequest
  })
  const finish = await timed(
    finishes.map((f, i) => async () => must(await server.finishLogin(started[i]!.serverLoginState, f)())),
  )
  const requests = clients.map(() => opaque.client.startRegistration({ password }).registrationRequest)
  const registration = await timed(
    requests.map((r) => async () => must(await server.registrationResponse('bench', r)())),
  )
  return { start, finish, registration }
}

const line = (name: string, p: Phase) =>
  `${name.padEnd(26)} ${p.cpuUsPerStep.toFixed(0).padStart(6)} µs CPU/step ${p.perS.toFixed(0).padStart(6)} /s   longest event-loop stall ${p.maxStallMs.toFixed(1)} ms`

const main = async () => {
  await opaque.ready
  const setup = await createOpaqueServerSetup()
  const inline = await serenityOpaqueServer(setup)
  const record = await registered(inline, 'bench')
  console.log(`${count} logins per phase, ${inFlight} in flight, pool of ${workers}`)
  const onThread = await measure(inline, record)
  console.log(line('main thread: start', onThread.start))
  console.log(line('main thread: finish', onThread.finish))
  console.log(line('main thread: registration', onThread.registration))
  const pooled = await pooledOpaqueServer(setup, workers)
  try {
    const inPool = await measure(pooled.server, record)
    console.log(line(`pool of ${workers}: start`, inPool.start))
    console.log(line(`pool of ${workers}: finish`, inPool.finish))
    console.log(line(`pool of ${workers}: registration`, inPool.registration))
  } finally {
    await pooled.close()
  }
}

void main()
