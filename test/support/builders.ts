/** Shared builders: the persistence builders plus sessions, pending logins and request contexts. */
import { randomBytes, randomUUID } from 'node:crypto'
import type { Caller, RequestContext } from '../../application/context'
import type { PendingLogin, PendingRecovery } from '../../application/ports/login-state-store'
import type { Session } from '../../application/ports/session-store'
import type { AccountId, SessionId, Sha256Hex } from '../../domain/ids'
import { anAccountId, at } from './persistence-builders'

export * from './persistence-builders'

export const aSessionId = (): SessionId => randomUUID() as SessionId
export const aDigest = (): Sha256Hex => randomBytes(32).toString('hex') as Sha256Hex
/** A 32-byte base64url secret, as IdGenerator.secret makes. */
export const aSecret = (): string => randomBytes(32).toString('base64url')

export const aSession = (overrides: Partial<Session> = {}): Session => ({
  sessionId: aSessionId(),
  accountId: anAccountId(),
  deviceId: null,
  createdAt: at(),
  expiresAt: at(60 * 60 * 1000),
  ...overrides,
})

export const aPendingLogin = (overrides: Partial<PendingLogin> = {}): PendingLogin => ({
  kind: 'login',
  accountId: anAccountId(),
  serverLoginState: aSecret(),
  ...overrides,
})

export const aPendingRecovery = (accountId: AccountId = anAccountId()): PendingRecovery => ({
  kind: 'recovery',
  accountId,
})

export const aRequest = (): RequestContext => ({ requestId: `req-${randomUUID().slice(0, 8)}` })

export const aCaller = (overrides: Partial<Caller> = {}): Caller => ({
  ...aRequest(),
  accountId: anAccountId(),
  sessionId: aSessionId(),
  deviceId: null,
  loggedInAt: at(),
  ...overrides,
})
