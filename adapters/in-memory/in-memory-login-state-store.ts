/**
 * Single-use pending logins and recovery tokens in process memory, expiring by the injected Clock.
 * Contract: test/contracts/login-state-store.contract.ts.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as O from 'fp-ts/Option'
import type { Clock } from '../../application/ports/clock'
import type { LoginStateStore, PendingState } from '../../application/ports/login-state-store'

type Entry = Readonly<{ state: PendingState; expiresAtMs: number }>

export const inMemoryLoginStateStore = (clock: Clock): LoginStateStore => {
  const entries = new Map<string, Entry>()

  const prune = (nowMs: number): void => {
    for (const [key, entry] of entries) if (entry.expiresAtMs <= nowMs) entries.delete(key)
  }

  return {
    put: (key, state, ttlSeconds) =>
      TE.fromIOEither(() => {
        const nowMs = clock.now().getTime()
        prune(nowMs)
        entries.set(key, { state: structuredClone(state), expiresAtMs: nowMs + ttlSeconds * 1000 })
        return E.right(undefined)
      }),
    take: (key) =>
      TE.fromIOEither(() => {
        const entry = entries.get(key)
        entries.delete(key)
        return E.right(
          entry !== undefined && entry.expiresAtMs > clock.now().getTime() ? O.some(entry.state) : O.none,
        )
      }),
  }
}
