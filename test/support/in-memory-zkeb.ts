/**
 * The whole application on in-memory twins and the real crypto adapters: what use-case tests (and any
 * test that wants a working ZKEB without a database) start from.
 */
import { randomBytes } from 'node:crypto'
import { createOpaqueServerSetup, serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import { joseTokenIssuer } from '../../adapters/crypto/jose-token-issuer'
import { nodeHasher } from '../../adapters/crypto/node-hasher'
import { nodeIdGenerator } from '../../adapters/crypto/node-id-generator'
import { nodeSignatureVerifier } from '../../adapters/crypto/node-signature-verifier'
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryAuditRepository } from '../../adapters/in-memory/in-memory-audit-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryBlobStore } from '../../adapters/in-memory/in-memory-blob-store'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryDeviceRepository } from '../../adapters/in-memory/in-memory-device-repository'
import { inMemoryResticObjectRepository } from '../../adapters/in-memory/in-memory-restic-object-repository'
import { inMemoryResticTokenRepository } from '../../adapters/in-memory/in-memory-restic-token-repository'
import { inMemoryUnitOfWork } from '../../adapters/in-memory/in-memory-unit-of-work'
import { inMemoryUploadSessionRepository } from '../../adapters/in-memory/in-memory-upload-session-repository'
import { inMemoryLoginStateStore } from '../../adapters/in-memory/in-memory-login-state-store'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import type { Ports } from '../../application/ports'
import { defaultSettings } from '../../application/settings'
import { makeUseCases, type UseCases } from '../../application/zkeb'
import { type ControllableClock, controllableClock } from './controllable-clock'

/** Generating an OPAQUE server setup costs time; one per test process is plenty. */
let serverSetup: Promise<string> | undefined
export const testOpaqueServerSetup = (): Promise<string> => (serverSetup ??= createOpaqueServerSetup())

export type InMemoryZkeb = Readonly<{ useCases: UseCases; ports: Ports; clock: ControllableClock }>

/** A fresh application; `overrides` replace ports (e.g. settings, or a probe list). */
export const inMemoryZkeb = async (overrides: Partial<Ports> = {}): Promise<InMemoryZkeb> => {
  const clock = controllableClock()
  const db = inMemoryDatabase()
  const sessions = overrides.sessions ?? inMemorySessionStore()
  const ports: Ports = {
    accounts: inMemoryAccountRepository(db),
    devices: inMemoryDeviceRepository(db),
    backups: inMemoryBackupRepository(db),
    audit: inMemoryAuditRepository(db),
    blobs: inMemoryBlobStore(() => clock.now()),
    resticTokens: inMemoryResticTokenRepository(db),
    resticObjects: inMemoryResticObjectRepository(db),
    uploads: inMemoryUploadSessionRepository(db),
    sessions,
    // Over the same database and session store as the repositories; a test that swaps those passes its own.
    unitOfWork: inMemoryUnitOfWork(db, sessions),
    loginStates: inMemoryLoginStateStore(clock),
    opaque: await serenityOpaqueServer(await testOpaqueServerSetup()),
    tokens: joseTokenIssuer({ secret: randomBytes(32), clock }),
    signatures: nodeSignatureVerifier(),
    hasher: nodeHasher(),
    clock,
    ids: nodeIdGenerator(),
    probes: [],
    settings: defaultSettings,
    ...overrides,
  }
  return { useCases: makeUseCases(ports), ports, clock }
}
