/**
 * Username enumeration by timing, over real PostgreSQL: the latency of a login start, of a login finish with a
 * wrong proof (the failed login's audit event is written off the answer's path) and of a recovery start with a
 * wrong proof must not tell a registered username from an unknown one. 200 pairs per side, interleaved in a
 * random order, so drift on a busy machine hits both sides alike; the statistic is the ratio of medians, which
 * outliers (GC pauses, other processes) barely move. A band of ±50 % catches the leaks that matter (a skipped
 * OPAQUE evaluation or a database write costs a multiple: a finish that wrote its event took 4 times as long)
 * without failing on a noisy 2-core box.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { aUsername } from '../support/test-client'
import { registerOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from './attack-kit'

const samplesPerSide = 200
const band = { low: 2 / 3, high: 1.5 }

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Milliseconds one request takes, body read. */
const timed = async (send: () => Promise<Response>): Promise<number> => {
  const started = performance.now()
  const res = await send()
  await res.arrayBuffer()
  return performance.now() - started
}

/**
 * Interleaves known and unknown samples in random order; returns the ratio of their medians. `prepare` makes
 * what one sample sends (untimed: a finish needs a fresh loginId from a start).
 */
const medianRatio = async <P>(
  known: (prepared: P) => Promise<Response>,
  unknown: (prepared: P) => Promise<Response>,
  prepare: (side: 'known' | 'unknown') => Promise<P>,
): Promise<{ ratio: number; knownMs: number; unknownMs: number }> => {
  const sample = async (side: 'known' | 'unknown') => {
    const prepared = await prepare(side)
    return timed(() => (side === 'known' ? known(prepared) : unknown(prepared)))
  }
  for (let i = 0; i < 5; i++) await Promise.all([sample('known'), sample('unknown')]) // warm-up
  const k: number[] = []
  const u: number[] = []
  for (let i = 0; i < samplesPerSide; i++) {
    if (Math.random() < 0.5) {
      k.push(await sample('known'))
      u.push(await sample('unknown'))
    } else {
      u.push(await sample('unknown'))
      k.push(await sample('known'))
    }
  }
  const [knownMs, unknownMs] = [median(k), median(u)]
  return { ratio: knownMs / unknownMs, knownMs, unknownMs }
}

const unprepared = (): Promise<undefined> => Promise.resolve(undefined)

describe('attacks: username enumeration by timing (PostgreSQL)', function () {
  this.timeout(180_000)
  let target: Target
  let known: ReadonlyArray<string>

  before(async () => {
    target = await startTarget()
    known = await Promise.all([1, 2, 3].map(async () => (await registerOverHttp(target)).username))
  })
  after(() => target?.close())

  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(Math.random() * xs.length)]!

  it('takes as long to start a login for an unknown username as for a registered one', async () => {
    await opaque.ready
    const start = (username: string) =>
      target.call('POST', '/api/v1/sessions/start', {
        json: { username, startLoginRequest: opaque.client.startLogin({ password: 'pw' }).startLoginRequest },
      })
    const result = await medianRatio(
      () => start(pick(known)),
      () => start(aUsername()),
      unprepared,
    )
    expect(result.ratio, JSON.stringify(result)).to.be.within(band.low, band.high)
  })

  it('takes as long to refuse a login finish for an unknown username as for a registered one', async () => {
    await opaque.ready
    /** A login id for a known or an unknown username, from an untimed start. */
    const loginIdFor = async (side: 'known' | 'unknown'): Promise<string> => {
      const res = await target.call('POST', '/api/v1/sessions/start', {
        json: {
          username: side === 'known' ? pick(known) : aUsername(),
          startLoginRequest: opaque.client.startLogin({ password: 'pw' }).startLoginRequest,
        },
      })
      return ((await res.json()) as { loginId: string }).loginId
    }
    const finish = (loginId: string) =>
      target.call('POST', '/api/v1/sessions/finish', {
        json: { loginId, finishLoginRequest: randomBytes(64).toString('base64url') },
      })
    const result = await medianRatio(finish, finish, loginIdFor)
    expect(result.ratio, JSON.stringify(result)).to.be.within(band.low, band.high)
  })

  it('takes as long to refuse a recovery proof for an unknown username as for a registered one', async () => {
    const start = (username: string) =>
      target.call('POST', '/api/v1/account/recovery/start', {
        json: { username, recoveryProof: randomBytes(32).toString('base64url') },
      })
    const result = await medianRatio(
      () => start(pick(known)),
      () => start(aUsername()),
      unprepared,
    )
    expect(result.ratio, JSON.stringify(result)).to.be.within(band.low, band.high)
  })

  it('answers both alike, byte for byte in shape', async () => {
    await opaque.ready
    const { startLoginRequest } = opaque.client.startLogin({ password: 'pw' })
    const shapeOf = async (username: string) => {
      const res = await target.call('POST', '/api/v1/sessions/start', {
        json: { username, startLoginRequest },
      })
      const body = (await res.json()) as Record<string, string>
      return {
        status: res.status,
        keys: Object.keys(body).sort(),
        lengths: Object.values(body).map((v) => v.length),
      }
    }
    expect(await shapeOf(pick(known))).to.deep.equal(await shapeOf(aUsername()))
  })
})
