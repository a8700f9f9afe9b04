/**
 * TLS to both stores, as docs/operations.md describes: a PostgreSQL that
 * accepts only TLS connections (pg_hba `hostssl`) and a Redis listening only on its TLS port, both with a
 * certificate from a private CA made here with openssl. The server reaches them with
 * `DATABASE_URL=...?sslmode=verify-full&sslrootcert=CA` and `REDIS_URL=rediss://...` + `REDIS_TLS_CA_FILE`,
 * serves, and PostgreSQL reports the application's connections as TLS. A CA that did not sign the
 * certificates is refused by both (verification really happens).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createRedis, redisReady } from '../../adapters/cache/redis/create-redis'
import { aUserWithDevice, uploadOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from '../attacks/attack-kit'
import { createTestDatabaseOn } from '../support/postgres'
import { freePort, requireRedis } from '../support/redis'
import { anUpload } from '../support/test-client'
import { requirePostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres'

const openssl = (dir: string, args: ReadonlyArray<string>) =>
  execFileSync('openssl', [...args], { cwd: dir, stdio: 'ignore' })

/** ca.pem signs server.pem (for 127.0.0.1 and localhost); other-ca.pem is a CA that signed nothing here. */
const makeCertificates = (dir: string): void => {
  const newCa = (name: string) =>
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=zkeb-${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    ])
  newCa('ca')
  newCa('other-ca')
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ])
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  ])
  // PostgreSQL (run as `postgres`) reads the key and refuses one others can read.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  execFileSync('chmod', ['600', join(dir, 'server.key')])
  execFileSync('chmod', ['755', dir])
}

const startTlsRedis = async (dir: string): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort()
  const child = spawn(
    process.env.REDIS_SERVER_BIN ?? 'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(dir, 'server.pem'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.pem'),
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  )
  const url = `rediss://127.0.0.1:${port}`
  const probe = createRedis({
    url,
    tlsCa: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    keyPrefix: '',
    connectTimeoutMs: 1000,
    commandTimeoutMs: 1000,
  })
  try {
    await redisReady(probe, 10_000)
  } finally {
    probe.disconnect()
  }
  return { url, child }
}

describe('TLS to PostgreSQL and Redis', function () {
  this.timeout(60_000)
  let dir: string
  let pg: ThrowawayPostgres | undefined
  let redis: { url: string; child: ChildProcess } | undefined
  let target: Target | undefined
  const pgUrl = (ca: string) =>
    `postgres://postgres@127.0.0.1:${new URL(pg!.url).port}/postgres?sslmode=verify-full&sslrootcert=${join(dir, ca)}`

  before(async function () {
    requirePostgresBinaries(this)
    requireRedis(this)
    dir = mkdtempSync(join(tmpdir(), 'zkeb-tls-'))
    makeCertificates(dir)
    pg = await startThrowawayPostgres({
      settings: [
        'ssl=on',
        `ssl_cert_file=${join(dir, 'server.pem')}`,
        `ssl_key_file=${join(dir, 'server.key')}`,
      ],
      hba: 'hostssl all all 127.0.0.1/32 trust\n',
    })
    redis = await startTlsRedis(dir)
  })
  after(async () => {
    await target?.close().catch(() => undefined)
    redis?.child.kill('SIGKILL')
    pg?.destroy()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('serves over TLS connections to both, verified against REDIS_TLS_CA_FILE and sslrootcert', async () => {
    target = await startTarget({
      database: () => createTestDatabaseOn(pgUrl('ca.pem')),
      env: { STORE: 'redis', REDIS_URL: redis!.url, REDIS_TLS_CA_FILE: join(dir, 'ca.pem') },
    })
    expect(target.db.appUrl).to.include('sslmode=verify-full')
    const user = await aUserWithDevice(target)
    const upload = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(target, user.token, upload)).status).to.equal(201)
    const health = await target.call('GET', '/api/health')
    expect(health.status).to.equal(200)
    await health.arrayBuffer()
    const { rows } = await target.db.ownerKnex.raw<{ rows: Array<{ ssl: boolean }> }>(
      `select s.ssl from pg_stat_ssl s join pg_stat_activity a using (pid) where a.application_name = 'zkeb'`,
    )
    expect(rows.length).to.be.above(0)
    expect(rows.every((r) => r.ssl)).to.equal(true)
  })

  it('refuses a PostgreSQL and a Redis whose certificate the configured CA did not sign', async () => {
    const wrongPg = await createTestDatabaseOn(pgUrl('other-ca.pem')).then(
      () => 'connected',
      (e: Error) => e.message,
    )
    expect(wrongPg).to.match(/unreachable/)
    const wrongRedis = await startTarget({
      database: () => createTestDatabaseOn(pgUrl('ca.pem')),
      env: { STORE: 'redis', REDIS_URL: redis!.url, REDIS_TLS_CA_FILE: join(dir, 'other-ca.pem') },
    }).then(
      async (t) => (await t.close(), 'connected'),
      (e: Error) => e.message,
    )
    expect(wrongRedis).to.match(/does not answer/)
  })
})
