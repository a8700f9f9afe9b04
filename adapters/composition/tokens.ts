/**
 * Typed inversify tokens: a token carries the type it resolves to, so binding a value of the wrong type, or
 * listing a wrong token among a factory's dependencies, fails to compile.
 * `Symbol.for('zkeb/…')` keeps tokens equal across duplicate module instances.
 */
import type { ResolutionContext, ServiceIdentifier } from 'inversify'
import type { Knex } from 'knex'
import type { Ports } from '../../application/ports'
import type { BackfillJobs } from '../../application/ports/backfill-jobs'
import type { MaintenanceQueries } from '../../application/ports/maintenance-queries'
import type { Throttle } from '../../application/ports/throttle'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { AuditRepository } from '../../application/ports/audit-repository'
import type { Background } from '../../application/ports/background'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { BlobStore } from '../../application/ports/blob-store'
import type { Clock } from '../../application/ports/clock'
import type { DeviceRepository } from '../../application/ports/device-repository'
import type { FactorSecrets } from '../../application/ports/factor-secrets'
import type { Hasher } from '../../application/ports/hasher'
import type { IdGenerator } from '../../application/ports/id-generator'
import type { LoginStateStore } from '../../application/ports/login-state-store'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import type { RateLimiter } from '../../application/ports/rate-limiter'
import type { ReadinessProbe } from '../../application/ports/readiness-probe'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository'
import type { ResticTokenRepository } from '../../application/ports/restic-token-repository'
import type { SessionStore } from '../../application/ports/session-store'
import type { SignatureVerifier } from '../../application/ports/signature-verifier'
import type { SnapshotAccounts } from '../../application/ports/snapshot-accounts'
import type { TokenIssuer } from '../../application/ports/token-issuer'
import type { UnitOfWork } from '../../application/ports/unit-of-work'
import type { Settings } from '../../application/settings'
import type { UseCases } from '../../application/zkeb'
import type { GaugeSources } from '../observability/samplers'
import type { Config } from './config'

export type Token<T> = symbol & { readonly __resolvesTo?: T }

const token = <T>(name: string): Token<T> => Symbol.for(`zkeb/${name}`)

/** A token as inversify's ServiceIdentifier, keeping its type. */
export const id = <T>(t: Token<T>): ServiceIdentifier<T> => t

export const TOKENS = {
  Config: token<Config>('Config'),
  Settings: token<Settings>('Settings'),
  /** The application role's pool (row-level security applies). */
  AppKnex: token<Knex>('AppKnex'),
  AccountRepository: token<AccountRepository>('AccountRepository'),
  DeviceRepository: token<DeviceRepository>('DeviceRepository'),
  BackupRepository: token<BackupRepository>('BackupRepository'),
  AuditRepository: token<AuditRepository>('AuditRepository'),
  BlobStore: token<BlobStore>('BlobStore'),
  ResticTokenRepository: token<ResticTokenRepository>('ResticTokenRepository'),
  ResticObjectRepository: token<ResticObjectRepository>('ResticObjectRepository'),
  UploadSessionRepository: token<UploadSessionRepository>('UploadSessionRepository'),
  SnapshotAccounts: token<SnapshotAccounts>('SnapshotAccounts'),
  SessionStore: token<SessionStore>('SessionStore'),
  UnitOfWork: token<UnitOfWork>('UnitOfWork'),
  LoginStateStore: token<LoginStateStore>('LoginStateStore'),
  RateLimiter: token<RateLimiter>('RateLimiter'),
  Background: token<Background>('Background'),
  OpaqueServer: token<OpaqueServer>('OpaqueServer'),
  TokenIssuer: token<TokenIssuer>('TokenIssuer'),
  SignatureVerifier: token<SignatureVerifier>('SignatureVerifier'),
  Hasher: token<Hasher>('Hasher'),
  FactorSecrets: token<FactorSecrets>('FactorSecrets'),
  Clock: token<Clock>('Clock'),
  IdGenerator: token<IdGenerator>('IdGenerator'),
  /** The operator's maintenance-only ports, bound with the durable ones they read. */
  BackfillJobs: token<BackfillJobs>('BackfillJobs'),
  MaintenanceQueries: token<MaintenanceQueries>('MaintenanceQueries'),
  Throttle: token<Throttle>('Throttle'),
  /** What the observability gauges sample: the pool and the storage totals of the chosen persistence. */
  Gauges: token<GaugeSources>('Gauges'),
  /** Probes of the database-backed adapters (database, blobs). */
  PersistenceProbes: token<ReadonlyArray<ReadinessProbe>>('PersistenceProbes'),
  /** Probes of the session/login/rate-limit stores (cache). */
  StoreProbes: token<ReadonlyArray<ReadinessProbe>>('StoreProbes'),
  ReadinessProbes: token<ReadonlyArray<ReadinessProbe>>('ReadinessProbes'),
  Ports: token<Ports>('Ports'),
  UseCases: token<UseCases>('UseCases'),
} as const

/** One token per field of `R`: resolving them all gives an `R`. */
export type Tokens<R> = { readonly [K in keyof R]-?: Token<R[K]> }

/** Resolves a record of tokens into the record of their values, field by field. */
export const resolveRecord = <R>(context: Pick<ResolutionContext, 'get'>, tokens: Tokens<R>): R =>
  Object.fromEntries(Object.entries<symbol>(tokens).map(([field, token]) => [field, context.get(token)])) as R

/** Which token supplies each of the application's ports. */
export const PORT_TOKENS: Tokens<Ports> = {
  accounts: TOKENS.AccountRepository,
  devices: TOKENS.DeviceRepository,
  backups: TOKENS.BackupRepository,
  audit: TOKENS.AuditRepository,
  blobs: TOKENS.BlobStore,
  resticTokens: TOKENS.ResticTokenRepository,
  resticObjects: TOKENS.ResticObjectRepository,
  uploads: TOKENS.UploadSessionRepository,
  snapshotAccounts: TOKENS.SnapshotAccounts,
  sessions: TOKENS.SessionStore,
  unitOfWork: TOKENS.UnitOfWork,
  loginStates: TOKENS.LoginStateStore,
  limiter: TOKENS.RateLimiter,
  background: TOKENS.Background,
  opaque: TOKENS.OpaqueServer,
  tokens: TOKENS.TokenIssuer,
  signatures: TOKENS.SignatureVerifier,
  hasher: TOKENS.Hasher,
  factorSecrets: TOKENS.FactorSecrets,
  clock: TOKENS.Clock,
  ids: TOKENS.IdGenerator,
  probes: TOKENS.ReadinessProbes,
  settings: TOKENS.Settings,
}
