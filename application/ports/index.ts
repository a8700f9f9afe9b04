/** Every port the use cases may need, plus their settings. Factories take a `Pick` of this. */
import type { Settings } from '../settings'
import type { AccountRepository } from './account-repository'
import type { Background } from './background'
import type { AuditRepository } from './audit-repository'
import type { BackupRepository } from './backup-repository'
import type { BlobStore } from './blob-store'
import type { Clock } from './clock'
import type { DeviceRepository } from './device-repository'
import type { FactorSecrets } from './factor-secrets'
import type { Hasher } from './hasher'
import type { IdGenerator } from './id-generator'
import type { LoginStateStore } from './login-state-store'
import type { OpaqueServer } from './opaque-server'
import type { RateLimiter } from './rate-limiter'
import type { ReadinessProbe } from './readiness-probe'
import type { ResticObjectRepository } from './restic-object-repository'
import type { ResticTokenRepository } from './restic-token-repository'
import type { SessionStore } from './session-store'
import type { SignatureVerifier } from './signature-verifier'
import type { SnapshotAccounts } from './snapshot-accounts'
import type { TokenIssuer } from './token-issuer'
import type { UnitOfWork } from './unit-of-work'
import type { UploadSessionRepository } from './upload-session-repository'

export type Ports = Readonly<{
  accounts: AccountRepository
  devices: DeviceRepository
  backups: BackupRepository
  audit: AuditRepository
  blobs: BlobStore
  resticTokens: ResticTokenRepository
  resticObjects: ResticObjectRepository
  uploads: UploadSessionRepository
  /** The accounts holding snapshot packs (the snapshot collector's listing); snapshots themselves are in unitOfWork. */
  snapshotAccounts: SnapshotAccounts
  sessions: SessionStore
  /** Several repository calls of one account in one transaction; each call above is a transaction of its own. */
  unitOfWork: UnitOfWork
  loginStates: LoginStateStore
  /** Shared counters: the login-failed event is written at most once per account and window through them. */
  limiter: RateLimiter
  background: Background
  opaque: OpaqueServer
  tokens: TokenIssuer
  signatures: SignatureVerifier
  hasher: Hasher
  /** TOTP secrets (sealed under a server key) and recovery-code digests. */
  factorSecrets: FactorSecrets
  clock: Clock
  ids: IdGenerator
  probes: ReadonlyArray<ReadinessProbe>
  settings: Settings
}>
