/** The application's limits: quotas, body sizes, retention and lifetimes, and api-v1's rate limits. */
import { defaultSettings } from '../../application/settings'
import { defaultRateLimitRules, type RateLimitRules } from '../http/middleware/rate-limit'
import { defaultAccountStreamsMax } from '../http/middleware/stream-slots'
import { defaultServerTimeouts } from '../http/start-http-server'
import { group, inBytes, inHours, integer, maxBytes, setting, type EnvOf } from './env-codecs'

const perMinute = integer(1, 1_000_000, 'an integer from 1 to 1000000')

export const limitVariables = group('Limits', '', {
  QUOTA_BYTES: setting(
    integer(0, maxBytes, 'a byte count'),
    defaultSettings.defaultQuotaBytes,
    'Storage quota of new accounts.',
    inBytes,
  ),
  MAX_UPLOAD_BYTES: setting(
    integer(1, maxBytes, 'a positive byte count'),
    defaultSettings.maxUploadBytes,
    'Largest body of one upload (`PUT …/content`).',
    inBytes,
  ),
  JSON_BODY_BYTES: setting(
    integer(1024, 16 * 1024 ** 2, 'a byte count from 1024 to 16777216'),
    64 * 1024,
    'Largest JSON request body.',
    inBytes,
  ),
  JSON_BODY_TIMEOUT_MS: setting(
    integer(100, 600_000, 'milliseconds from 100 to 600000'),
    10_000,
    'Time to receive a JSON request body once its headers arrived; slower bodies are answered 408 ' +
      '`request-timeout`.',
    (ms) => `${ms / 1000} s`,
  ),
  ACCOUNT_STREAMS_MAX: setting(
    integer(1, 10_000, 'an integer from 1 to 10000'),
    defaultAccountStreamsMax,
    'Content streams (uploads and downloads: one-shot, tus, snapshot packs and reads, restic objects) one ' +
      'account may hold at once in one server process (each worker with `WORKERS` above 1); one more is answered 429 `too-many-streams` before its body ' +
      'is read. A slot frees when its stream ends, is aborted or its client goes away.',
  ),
  STALLED_STREAM_TIMEOUT_MS: setting(
    integer(1_000, 3_600_000, 'milliseconds from 1000 to 3600000'),
    defaultServerTimeouts.socketIdleTimeoutMs,
    'A connection on which nothing moves either way for this long is closed: a download whose client stops ' +
      'reading, an upload whose client stops sending, an idle socket. Its stream slot is freed with it.',
    (ms) => `${ms / 1000} s`,
  ),
  TRASH_RETENTION_DAYS: setting(
    integer(0, 3650, 'an integer from 0 to 3650'),
    defaultSettings.trashRetentionDays,
    'Days a deleted backup stays restorable before the background purge erases it.',
  ),
  BLOB_GC_GRACE_SECONDS: setting(
    integer(60, 365 * 86_400, 'an integer from 60 to 31536000'),
    defaultSettings.blobGarbageGraceSeconds,
    'Blobs that no backup references are deleted once older than this (60 to 31536000). It must exceed the ' +
      "longest upload: a blob's age may count from the start of its upload.",
    inHours,
  ),
  SNAPSHOT_GC_GRACE_SECONDS: setting(
    integer(60, 365 * 86_400, 'an integer from 60 to 31536000'),
    defaultSettings.snapshotGarbageGraceSeconds,
    'Snapshot objects that no snapshot references are collected once their last claim (their upload, or a ' +
      'backup asking whether they are stored) is older than this (60 to 31536000). It must exceed the longest ' +
      'backup run.',
    inHours,
  ),
  UPLOAD_EXPIRY_SECONDS: setting(
    integer(60, 30 * 86_400, 'an integer from 60 to 2592000'),
    defaultSettings.uploadExpirySeconds,
    'Lifetime of a resumable (tus) upload from its creation (60 to 2592000), sent as `Upload-Expires`. After ' +
      'it the upload answers 404 and the maintenance collects it and its parts, releasing its quota ' +
      'reservation.',
    inHours,
  ),
  KEY_ROTATION_TTL_SECONDS: setting(
    integer(60, 30 * 86_400, 'an integer from 60 to 2592000'),
    defaultSettings.keyRotationTtlSeconds,
    'A staged key rotation left without activity (its start or a page of keys) this long expires (60 to ' +
      '2592000): the account may then start another, and the staged keys are dropped with it.',
    inHours,
  ),
  RATE_LIMIT_LOGIN_PER_MINUTE: setting(
    perMinute,
    defaultRateLimitRules.login.points,
    'Logins (`sessions/start`) allowed per minute per IP and per username. Leave it in production; ' +
      '`npm run bench` raises it (every bench login comes from 127.0.0.1).',
  ),
  RATE_LIMIT_REGISTRATION_PER_MINUTE: setting(
    perMinute,
    defaultRateLimitRules.registration.points,
    'Registrations per minute per IP and per username. Raised only for load tests.',
  ),
  RATE_LIMIT_ACCOUNT_PER_MINUTE: setting(
    perMinute,
    defaultRateLimitRules.account.points,
    'Authenticated requests per minute per account. Raised only for load tests.',
  ),
})

export type LimitConfig = Readonly<{
  quotaBytes: number
  maxUploadBytes: number
  jsonBodyBytes: number
  /** Time to receive a JSON body once its headers arrived, else 408 (slow-body guard). */
  jsonBodyTimeoutMs: number
  /** Content streams one account may hold at once in this process. */
  accountStreamsMax: number
  /** A connection with no traffic either way for this long is closed (stalled downloads and uploads). */
  stalledStreamTimeoutMs: number
  trashRetentionDays: number
  blobGcGraceSeconds: number
  /** Grace of unreferenced snapshot objects since their last claim. */
  snapshotGcGraceSeconds: number
  /** Lifetime of a resumable (tus) upload from its creation. */
  uploadExpirySeconds: number
  /** Idle lifetime of a staged key rotation. */
  keyRotationTtlSeconds: number
  /** api-v1's rules, per 60 s window, with the points RATE_LIMIT_*_PER_MINUTE set. */
  rateLimits: RateLimitRules
}>

export const limitConfig = (env: EnvOf<typeof limitVariables>): LimitConfig => ({
  quotaBytes: env.QUOTA_BYTES,
  maxUploadBytes: env.MAX_UPLOAD_BYTES,
  jsonBodyBytes: env.JSON_BODY_BYTES,
  jsonBodyTimeoutMs: env.JSON_BODY_TIMEOUT_MS,
  accountStreamsMax: env.ACCOUNT_STREAMS_MAX,
  stalledStreamTimeoutMs: env.STALLED_STREAM_TIMEOUT_MS,
  trashRetentionDays: env.TRASH_RETENTION_DAYS,
  blobGcGraceSeconds: env.BLOB_GC_GRACE_SECONDS,
  snapshotGcGraceSeconds: env.SNAPSHOT_GC_GRACE_SECONDS,
  uploadExpirySeconds: env.UPLOAD_EXPIRY_SECONDS,
  keyRotationTtlSeconds: env.KEY_ROTATION_TTL_SECONDS,
  rateLimits: {
    ...defaultRateLimitRules,
    login: { ...defaultRateLimitRules.login, points: env.RATE_LIMIT_LOGIN_PER_MINUTE },
    registration: { ...defaultRateLimitRules.registration, points: env.RATE_LIMIT_REGISTRATION_PER_MINUTE },
    account: { ...defaultRateLimitRules.account, points: env.RATE_LIMIT_ACCOUNT_PER_MINUTE },
  },
})
