import { expect } from 'chai'
import { availableParallelism } from 'node:os'
import * as E from 'fp-ts/Either'
import {
  decodeConfig,
  formatConfigErrors,
  loadConfig,
  type ConfigError,
} from '../../../adapters/composition/config'
import { StartupError } from '../../../adapters/composition/startup-error'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'

const secretValue = 'a-very-secret-token-value-of-enough-length-000'
const opaqueSetupValue = 'A'.repeat(171)
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://owner:pw@db.internal:5432/zkeb',
  STORE: 'redis',
  REDIS_URL: 'redis://cache.internal:6379',
  OPAQUE_SERVER_SETUP: opaqueSetupValue,
  TOKEN_SECRET: secretValue,
}

const errorsOf = (env: Record<string, string>): ReadonlyArray<ConfigError> => {
  const result = decodeConfig(env)
  if (E.isRight(result)) throw new Error('expected the configuration to be refused')
  return result.left
}
const variablesOf = (env: Record<string, string>) => errorsOf(env).map((e) => e.variable)

describe('configuration from the environment', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({})
    expect(config).to.deep.include({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      persistence: 'postgres',
      databaseUrl: null,
      databaseAppUrl: null,
      databasePoolMax: 10,
      store: 'memory',
      opaqueServerSetup: null,
      tokenSecret: null,
      accessTokenTtlSeconds: 900,
      quotaBytes: 10 * 1024 ** 3,
      maxUploadBytes: 5 * 1024 ** 3,
      jsonBodyBytes: 64 * 1024,
      trashRetentionDays: 30,
      logLevel: 'info',
      trustProxy: false,
      drainTimeoutMs: 25_000,
      drainNoticeMs: 0,
      migrateOnStart: true,
      webAppDir: './web/dist',
      workers: 1,
    })
  })

  it('reads WORKERS as a count from 1 to 256, or auto for one per CPU', () => {
    const redis = { STORE: 'redis', REDIS_URL: 'redis://cache.internal:6379' }
    expect(loadConfig({ ...redis, WORKERS: '4' }).workers).to.equal(4)
    expect(loadConfig({ ...redis, WORKERS: 'auto' }).workers).to.equal(availableParallelism())
    for (const bad of ['0', '257', 'two', '-1'])
      expect(variablesOf({ ...redis, WORKERS: bad })).to.deep.equal(['WORKERS'])
  })

  it('refuses more than one worker beside in-process stores, in one line naming the fix', () => {
    expect(variablesOf({ WORKERS: '2' })).to.deep.equal(['WORKERS'])
    expect(variablesOf({ PERSISTENCE: 'memory', WORKERS: '2' })).to.deep.equal(['WORKERS'])
    expect(() => loadConfig({ WORKERS: '2' }))
      .to.throw(StartupError)
      .with.property('message')
      .that.matches(/^Invalid configuration: WORKERS must be 1 when STORE=memory \(.*set STORE=redis\)$/)
    expect(loadConfig({ WORKERS: '1' }).workers).to.equal(1)
  })

  it('reads the drain window and whether migrations run at start', () => {
    expect(
      loadConfig({ DRAIN_TIMEOUT_MS: '5000', DRAIN_NOTICE_MS: '1000', MIGRATE_ON_START: 'false' }),
    ).to.deep.include({
      drainTimeoutMs: 5000,
      drainNoticeMs: 1000,
      migrateOnStart: false,
    })
    expect(() => loadConfig({ DRAIN_TIMEOUT_MS: '-1' })).to.throw(/DRAIN_TIMEOUT_MS must be milliseconds/)
  })

  it('sizes the OPAQUE worker pool from OPAQUE_WORKERS: unset is one per CPU (null), 0 is the event loop', () => {
    expect(loadConfig({}).opaqueWorkers).to.equal(null)
    expect(loadConfig({ OPAQUE_WORKERS: '0' }).opaqueWorkers).to.equal(0)
    expect(loadConfig({ OPAQUE_WORKERS: '4' }).opaqueWorkers).to.equal(4)
    expect(() => loadConfig({ OPAQUE_WORKERS: 'many' })).to.throw(/OPAQUE_WORKERS must be an integer/)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).to.deep.include({ port: 3000, databaseUrl: null })
  })

  it('decodes numbers, booleans and URLs from their string form', () => {
    const config = loadConfig({
      PORT: '8080',
      TRUST_PROXY: 'true',
      DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db',
      DATABASE_POOL_MAX: '4',
      JSON_BODY_BYTES: '2048',
      LOG_LEVEL: 'debug',
    })
    expect(config).to.deep.include({
      port: 8080,
      trustProxy: true,
      databaseUrl: 'postgresql://u@127.0.0.1:5432/db',
      databasePoolMax: 4,
      jsonBodyBytes: 2048,
      logLevel: 'debug',
    })
  })

  it('names every invalid variable and what it should be', () => {
    const errors = errorsOf({
      PORT: 'eighty',
      DATABASE_POOL_MAX: '0',
      LOG_LEVEL: 'loud',
      TRUST_PROXY: 'maybe',
    })
    expect(errors.map((e) => e.variable)).to.have.members([
      'PORT',
      'DATABASE_POOL_MAX',
      'LOG_LEVEL',
      'TRUST_PROXY',
    ])
    expect(errors.find((e) => e.variable === 'PORT')?.problem).to.equal(
      'must be a port number from 0 to 65535',
    )
  })

  it('never echoes the value of a variable it refuses', () => {
    const leakyUrl = 'mysql://admin:hunter2-super-secret@db/zkeb'
    const shortSecret = 'hunter2-short'
    const message = formatConfigErrors(errorsOf({ DATABASE_URL: leakyUrl, TOKEN_SECRET: shortSecret }))
    expect(message).to.include('DATABASE_URL').and.to.include('TOKEN_SECRET')
    expect(message).not.to.include('hunter2')
  })

  it('throws one error listing every problem from loadConfig', () => {
    expect(() => loadConfig({ PORT: '-1', STORE: 'disk' })).to.throw(
      /PORT must be .*; STORE must be one of memory, redis/,
    )
  })

  it('accepts a complete production configuration', () => {
    expect(loadConfig(production)).to.deep.include({
      nodeEnv: 'production',
      store: 'redis',
      tokenSecret: secretValue,
    })
  })

  it('refuses in-memory stores in production', () => {
    expect(variablesOf({ ...production, STORE: 'memory' })).to.deep.equal(['STORE'])
  })

  it('refuses production without its secrets or a database, naming each', () => {
    const { OPAQUE_SERVER_SETUP: _o, TOKEN_SECRET: _t, DATABASE_URL: _d, ...incomplete } = production
    expect(variablesOf(incomplete)).to.have.members(['DATABASE_URL', 'OPAQUE_SERVER_SETUP', 'TOKEN_SECRET'])
  })

  it('leaves the blob store to the composition by default and reads the S3 settings only for BLOB_STORE=s3', () => {
    expect(loadConfig({ S3_BUCKET: 'ignored' })).to.deep.include({
      blobStore: null,
      blobDir: null,
      s3: null,
      blobGcGraceSeconds: 86_400,
    })
    expect(
      loadConfig({
        BLOB_STORE: 's3',
        S3_ENDPOINT: 'https://abc123.r2.cloudflarestorage.com',
        S3_BUCKET: 'zkeb-blobs',
        S3_REGION: 'auto',
        S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        S3_SECRET_ACCESS_KEY: 'secret-example',
        S3_FORCE_PATH_STYLE: 'true',
        BLOB_GC_GRACE_SECONDS: '3600',
      }),
    ).to.deep.include({
      blobStore: 's3',
      s3: {
        endpoint: 'https://abc123.r2.cloudflarestorage.com',
        bucket: 'zkeb-blobs',
        region: 'auto',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' },
        forcePathStyle: true,
      },
      blobGcGraceSeconds: 3600,
    })
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'zkeb-blobs' }).s3).to.deep.include({
      endpoint: null,
      region: 'us-east-1',
      credentials: null,
      forcePathStyle: false,
    })
  })

  it('requires a bucket for BLOB_STORE=s3, both access keys or neither, and sane values', () => {
    expect(variablesOf({ BLOB_STORE: 's3' })).to.deep.equal(['S3_BUCKET'])
    expect(variablesOf({ BLOB_STORE: 's3', S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'k' })).to.deep.equal([
      'S3_SECRET_ACCESS_KEY',
    ])
    expect(
      variablesOf({
        BLOB_STORE: 'minio',
        S3_ENDPOINT: 'ftp://x',
        S3_BUCKET: 'Not_A_Bucket',
        BLOB_GC_GRACE_SECONDS: '5',
      }),
    ).to.have.members(['BLOB_STORE', 'S3_ENDPOINT', 'S3_BUCKET', 'BLOB_GC_GRACE_SECONDS'])
  })

  it('keeps everything in process memory with PERSISTENCE=memory, its stores and blobs there too', () => {
    expect(loadConfig({ PERSISTENCE: 'memory' })).to.deep.include({
      persistence: 'memory',
      store: 'memory',
      blobStore: null,
      databaseUrl: null,
    })
    expect(variablesOf({ PERSISTENCE: 'disk' })).to.deep.equal(['PERSISTENCE'])
  })

  it('refuses PERSISTENCE=memory in production with one clear line', () => {
    expect(variablesOf({ ...production, PERSISTENCE: 'memory' })).to.deep.equal(['PERSISTENCE'])
    expect(() => loadConfig({ ...production, PERSISTENCE: 'memory' }))
      .to.throw(StartupError)
      .with.property('message')
      .that.matches(/^Invalid configuration: PERSISTENCE must not be memory when NODE_ENV=production \(/)
  })

  it('refuses, with PERSISTENCE=memory, anything that would keep data elsewhere', () => {
    expect(variablesOf({ PERSISTENCE: 'memory', STORE: 'redis', REDIS_URL: 'redis://r:6379' })).to.deep.equal(
      ['STORE'],
    )
    expect(
      variablesOf({ PERSISTENCE: 'memory', DATABASE_URL: 'postgres://owner@db.internal/zkeb' }),
    ).to.deep.equal(['DATABASE_URL'])
    expect(variablesOf({ PERSISTENCE: 'memory', BLOB_STORE: 's3', S3_BUCKET: 'zkeb-blobs' })).to.deep.equal([
      'BLOB_STORE',
    ])
  })

  it('requires REDIS_URL when the stores are in Redis', () => {
    expect(variablesOf({ STORE: 'redis' })).to.deep.equal(['REDIS_URL'])
  })

  it('refuses an app-role URL without the owner URL it belongs with', () => {
    expect(variablesOf({ DATABASE_APP_URL: 'postgres://zkeb_app@127.0.0.1/zkeb' })).to.deep.equal([
      'DATABASE_APP_URL',
    ])
  })

  it('keeps api-v1 rate limits by default and lets RATE_LIMIT_*_PER_MINUTE raise them (the bench does)', () => {
    expect(loadConfig({}).rateLimits).to.deep.equal(defaultRateLimitRules)
    const raised = loadConfig({
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_REGISTRATION_PER_MINUTE: '500',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000',
    }).rateLimits
    expect(raised.login).to.deep.equal({ name: 'login', points: 100_000, windowSeconds: 60 })
    expect(raised.registration.points).to.equal(500)
    expect(raised.account.points).to.equal(1_000_000)
    expect(raised.recovery).to.deep.equal(defaultRateLimitRules.recovery)
    expect(
      variablesOf({ RATE_LIMIT_LOGIN_PER_MINUTE: '0', RATE_LIMIT_ACCOUNT_PER_MINUTE: 'lots' }),
    ).to.have.members(['RATE_LIMIT_LOGIN_PER_MINUTE', 'RATE_LIMIT_ACCOUNT_PER_MINUTE'])
  })
})
