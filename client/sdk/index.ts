/**
 * The ZKEB client SDK (api-v1, protocol v1), for Node ≥ 20 and browsers: fetch, WebCrypto, web streams and
 * async iterables only. Flows resolve to fp-ts Either<SdkError, A> and never reject on bad input or bad
 * answers; download content is an async iterable that throws ZkebError (see pull.ts).
 * Streamed upload bodies need fetch with `duplex: 'half'` (Node, Chromium).
 */
export * from './account'
export * from './audit'
export * from './backups'
export * from './devices'
export * from './errors'
export * from './http-client'
export { KEYRING_NAME, KEYRING_TYPE, saveKeyring } from './keyring'
export { retryDelayMs, type FetchLike, type RetryPolicy, type TransportOptions } from './http-transport'
export * from './login'
export * from './password'
export * from './pull'
export * from './push'
export * from './recover'
export * from './register'
export * from './restic-tokens'
export * from './rotate'
export * from './second-factors'
export * from './session'
export type {
  Account,
  AuditEventDto,
  BackupRecord,
  BackupSummary,
  KeyBundle,
  SecondFactorProof,
  Tokens,
} from './wire'
export type { BackupMetadata, KeyStretching } from '../crypto'
export * from './push-resumable'
