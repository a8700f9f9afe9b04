/**
 * The whole application on in-memory twins and the real crypto adapters, wired by the composition root exactly
 * as `PERSISTENCE=memory npm start` wires it: what use-case tests (and any test that wants a working ZKEB
 * without a database) start from. The clock stands still until the test moves it.
 */
import { randomBytes } from 'node:crypto'
import type { AdminUseCases } from '../../application/admin'
import type { Ports } from '../../application/ports'
import type { UseCases } from '../../application/zkeb'
import { loadConfig } from '../../adapters/composition/config'
import { buildContainer, resolveWired } from '../../adapters/composition/container'
import { createOpaqueServerSetup, serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import { type ControllableClock, controllableClock } from './controllable-clock'

/** Generating an OPAQUE server setup costs time; one per test process is plenty. */
let serverSetup: Promise<string> | undefined
export const testOpaqueServerSetup = (): Promise<string> => (serverSetup ??= createOpaqueServerSetup())

export type InMemoryZkeb = Readonly<{
  useCases: UseCases
  admin: AdminUseCases
  ports: Ports
  /** The application's clock, unless `overrides` replaced it. */
  clock: ControllableClock
}>

const config = loadConfig({ NODE_ENV: 'test', PERSISTENCE: 'memory' })

/**
 * A fresh application; `overrides` replace ports (e.g. settings, or a probe list), and everything wired over
 * a replaced port (logins over accounts, sessions and the audit trail; tokens over the clock) uses it.
 */
export const inMemoryZkeb = async (overrides: Partial<Ports> = {}): Promise<InMemoryZkeb> => {
  const clock = controllableClock()
  const opaque = await serenityOpaqueServer(await testOpaqueServerSetup())
  const infra = {
    persistence: { kind: 'memory' },
    store: { kind: 'memory' },
    opaque,
    tokenSecret: randomBytes(32).toString('base64url'),
  } as const
  const { useCases, admin, ports } = resolveWired(buildContainer(config, infra, { clock, ...overrides }))
  return { useCases, admin, ports, clock }
}
