/**
 * zkeb-admin backup and restore, in-process, on an external PostgreSQL (pg_dump) and S3 (s3rver): a restore
 * into an empty database and bucket verifies every blob; and each refusal the docs promise happens before a
 * byte is written: live data, the wrong passphrase, a manifest or database file changed, a backup from a
 * newer release, secrets that differ, a pg_dump of another major version. A blob altered in the backup folder
 * fails the restore's verification. (The whole service, both setups, under load: test/ops/restore-drill.test.ts.)
 * Needs a server the installed pg_dump can dump (TEST_DATABASE_URL): without one it skips locally, fails in CI.
 */
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { expect } from 'chai'
import knex from 'knex'
import { encodeManifest, type Manifest } from '../../../../adapters/composition/disaster-recovery/manifest'
import { openSecrets, sealSecrets } from '../../../../adapters/composition/disaster-recovery/secrets-envelope'
import { main } from '../../../../adapters/composition/admin-main'
import { ExitCode } from '../../../../adapters/admin-cli/output'
import { s3BlobStore } from '../../../../adapters/blobs/s3/s3-blob-store'
import { knexAccountRepository } from '../../../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../../../adapters/persistence/knex/knex-backup-repository'
import type { Sha256Hex } from '../../../../domain/ids'
import { right } from '../../../contracts/harness'
import { testOpaqueServerSetup } from '../../../support/in-memory-zkeb'
import { aBackup, aBlobId, aDeviceId, anAccount, inPieces } from '../../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../../support/postgres'
import { s3ForTest } from '../../../support/s3rver'

type Run = Readonly<{ code: number; out: string; err: string }>
const passphrase = 'a passphrase for the drill'

describe('zkeb-admin backup and restore (external PostgreSQL, S3)', function () {
  this.timeout(180_000)
  let db: TestDatabase
  let s3: { client: S3Client; bucket: string; server: { connection: { endpoint: string | null } } }
  let work: string
  let env: Record<string, string>
  let folder: string
  const content = randomBytes(70_000)
  const siblings: Array<() => Promise<void>> = []

  const admin = async (argv: string[], overrides: Record<string, string | undefined> = {}): Promise<Run> => {
    let out = ''
    let err = ''
    const code = await main(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { ...env, ...overrides },
    })
    return { code, out, err }
  }
  /** An empty database and bucket, and a DATA_DIR of their own. */
  const emptyTarget = async () => {
    const sibling = await db.sibling(randomBytes(3).toString('hex'))
    siblings.push(sibling.drop)
    const { bucket } = await s3ForTest()
    return { DATABASE_URL: sibling.url, S3_BUCKET: bucket, DATA_DIR: await mkdtemp(path.join(work, 'data-')) }
  }
  /** A copy of the backup folder to spoil. */
  const copyOfBackup = async () => {
    const copy = await mkdtemp(path.join(work, 'copy-'))
    await cp(folder, copy, { recursive: true })
    return copy
  }

  before(async function () {
    db = await createTestDatabase()
    // Without TEST_DATABASE_URL the tests' server is the embedded PostgreSQL 18, which Debian's pg_dump 15 cannot
    // dump; CI always has a server pg_dump matches.
    const server = (
      await db.ownerKnex.raw<{ rows: Array<{ v: string }> }>(
        "select current_setting('server_version_num') as v",
      )
    ).rows[0]!.v
    const dump = /\(PostgreSQL\) (\d+)/.exec(
      spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout ?? '',
    )?.[1]
    if (Math.floor(Number(server) / 10_000) !== Number(dump) && !process.env['CI']) {
      await db.drop()
      return this.skip()
    }
    s3 = await s3ForTest()
    work = await mkdtemp(path.join(os.tmpdir(), 'zkeb-backup-restore-'))
    const alice = anAccount()
    await right(knexAccountRepository(db.appKnex).create(alice))
    const blobId = aBlobId()
    await right(s3BlobStore(s3).write(alice.accountId, blobId, inPieces(content, 16_384)))
    const sha256 = createHash('sha256').update(content).digest('hex') as Sha256Hex
    const backup = aBackup(alice.accountId, aDeviceId(), { blobId, sizeBytes: content.length, sha256 })
    await right(knexBackupRepository(db.appKnex).insert(backup))
    const endpoint = s3.server.connection.endpoint!
    env = {
      DATABASE_URL: db.ownerUrl,
      DATA_DIR: await mkdtemp(path.join(work, 'data-')),
      BLOB_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      OPAQUE_SERVER_SETUP: await testOpaqueServerSetup(),
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      ZKEB_BACKUP_PASSPHRASE: passphrase,
      LOG_LEVEL: 'silent',
    }
    // A live instance of the backed-up deployment, keeping blobs in a folder of its own.
    await db.ownerKnex('zkeb.blob_folder_instances').insert({
      instance_id: randomUUID(),
      folder_id: randomUUID(),
      host: 'source-host',
      pid: 4242,
    })
    folder = path.join(work, 'backup')
    const made = await admin(['backup', '--to', folder, '--json'])
    expect(made.code, made.err).to.equal(ExitCode.ok)
    expect(JSON.parse(made.out)).to.deep.include({
      blobs: {
        store: 's3',
        source: `bucket ${s3.bucket} at ${new URL(endpoint).host}`,
        objects: 1,
        bytes: content.length,
      },
    })
  })
  after(async () => {
    for (const drop of siblings) await drop()
    if (work === undefined) return
    await db.drop()
    await rm(work, { recursive: true, force: true })
  })

  it('restores into an empty database and bucket, every blob read back and checked against its record', async () => {
    const target = await emptyTarget()
    const run = await admin(['restore', '--from', folder, '--json'], target)
    expect(run.code, run.err).to.equal(ExitCode.ok)
    const report = JSON.parse(run.out) as {
      counts: unknown
      verified: unknown
      written: number
      problems: unknown[]
    }
    expect(report.counts).to.deep.equal({
      accounts: 1,
      live: 1,
      trash: 0,
      resticObjects: 0,
      uploadsInFlight: 0,
    })
    expect(report.verified).to.deep.equal({ backup: 1, 'restic-object': 0, 'upload-part': 0 })
    expect(report.written).to.equal(1)
    expect(report.problems).to.deep.equal([])
    const restored = knex({ client: 'pg', connection: target.DATABASE_URL })
    try {
      // Otherwise the restored service's first start on a new blob folder meets the source's live instance.
      expect(await restored('zkeb.blob_folder_instances').count()).to.deep.equal([{ count: '0' }])
    } finally {
      await restored.destroy()
    }
  })

  it('refuses a database that already has the schema, and a bucket that already holds blobs', async () => {
    const target = await emptyTarget()
    const intoLive = await admin(['restore', '--from', folder], { ...target, DATABASE_URL: db.ownerUrl })
    expect(intoLive.code).to.equal(ExitCode.conflict)
    expect(intoLive.err).to.match(/already has a zkeb schema: restore writes only into an empty database/)
    const intoFullBucket = await admin(['restore', '--from', folder], { ...target, S3_BUCKET: s3.bucket })
    expect(intoFullBucket.code).to.equal(ExitCode.conflict)
    expect(intoFullBucket.err).to.match(/already holds blobs/)
  })

  it('refuses the wrong passphrase, and a backup of another kind than the configuration', async () => {
    const target = await emptyTarget()
    const wrong = await admin(['restore', '--from', folder], {
      ...target,
      ZKEB_BACKUP_PASSPHRASE: 'not the passphrase',
    })
    expect([wrong.code, wrong.err]).to.deep.equal([
      ExitCode.conflict,
      'zkeb-admin: the passphrase does not open secrets.age\n',
    ])
    const embedded = await admin(['restore', '--from', folder], { ...target, DATABASE_URL: undefined })
    expect(embedded.err).to.match(/this backup is of an external PostgreSQL/)
  })

  it('refuses a manifest or a database file changed after the backup', async () => {
    const target = await emptyTarget()
    const spoiled = await copyOfBackup()
    const manifest = path.join(spoiled, 'manifest.json')
    const text = await readFile(manifest, 'utf8')
    await writeFile(manifest, text.replace('"zkebVersion": "', '"zkebVersion": "9'))
    expect(await readFile(manifest, 'utf8')).not.to.equal(text)
    expect((await admin(['restore', '--from', spoiled], target)).err).to.match(
      /manifest.json changed after the backup/,
    )
    const other = await copyOfBackup()
    const dump = path.join(other, 'database', 'zkeb.dump')
    const bytes = await readFile(dump)
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 1, bytes.length - 10)
    await writeFile(dump, bytes)
    expect((await admin(['restore', '--from', other], target)).err).to.match(
      /database\/zkeb.dump is missing or changed/,
    )
  })

  it('refuses a backup made by a newer release, even one sealed with the passphrase', async () => {
    const spoiled = await copyOfBackup()
    const manifest = JSON.parse(await readFile(path.join(spoiled, 'manifest.json'), 'utf8')) as Manifest
    const newer = encodeManifest({
      ...manifest,
      migrations: [...manifest.migrations, '29990101000000_future'],
    })
    const opened = await openSecrets(await readFile(path.join(spoiled, 'secrets.age'), 'utf8'), passphrase)
    if (opened._tag === 'Left') return expect.fail(opened.left)
    await writeFile(path.join(spoiled, 'manifest.json'), newer.text)
    await writeFile(
      path.join(spoiled, 'secrets.age'),
      await sealSecrets({ ...opened.right, manifestSha256: newer.sha256 }, passphrase, 10),
    )
    const run = await admin(['restore', '--from', spoiled], await emptyTarget())
    expect(run.code).to.equal(ExitCode.conflict)
    expect(run.err).to.match(/made by a newer release .*migration 29990101000000_future/)
  })

  it('refuses an OPAQUE_SERVER_SETUP other than the backup’s: every account would be locked out', async () => {
    const target = { ...(await emptyTarget()), OPAQUE_SERVER_SETUP: 'A'.repeat(128) }
    const run = await admin(['restore', '--from', folder], target)
    expect(run.code).to.equal(ExitCode.conflict)
    expect(run.err).to.match(
      /OPAQUE_SERVER_SETUP differs from the backup's: every account would be locked out/,
    )
    expect(run.err).not.to.include(env['OPAQUE_SERVER_SETUP']!)
  })

  it('fails verification when a blob in the folder no longer matches its record', async () => {
    const spoiled = await copyOfBackup()
    const [account] = await readdir(path.join(spoiled, 'blobs'))
    const [blob] = await readdir(path.join(spoiled, 'blobs', account!))
    const file = path.join(spoiled, 'blobs', account!, blob!)
    const bytes = await readFile(file)
    bytes.writeUInt8(bytes.readUInt8(1000) ^ 1, 1000)
    await writeFile(file, bytes)
    const run = await admin(['restore', '--from', spoiled], await emptyTarget())
    expect(run.code).to.equal(ExitCode.unexpected)
    expect(run.err).to.match(
      /1 blobs failed verification \(first: backup [0-9a-f-]+\/[0-9a-f-]+: sha256\).*NOT fit to serve/,
    )
  })

  it('backup refuses a folder in use, a short passphrase, and a pg_dump of another major version', async () => {
    const used = await admin(['backup', '--to', folder])
    expect([used.code, used.err]).to.deep.equal([
      ExitCode.conflict,
      `zkeb-admin: ${folder} is not empty: give each backup a new folder\n`,
    ])
    const short = await admin(['backup', '--to', path.join(work, 'short')], {
      ZKEB_BACKUP_PASSPHRASE: 'too short',
    })
    expect(short.code).to.equal(ExitCode.usage)
    const bin = path.join(work, 'old-bin')
    await mkdir(bin)
    await writeFile(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n')
    await chmod(path.join(bin, 'pg_dump'), 0o755)
    const old = await admin(['backup', '--to', path.join(work, 'old')], { PG_BIN: bin })
    expect(old.code).to.equal(ExitCode.conflict)
    expect(old.err).to.match(
      /pg_dump is version 9, the database needs \d+: install pg_dump \d+ \(Debian: postgresql-client-\d+\)/,
    )
  })
})
