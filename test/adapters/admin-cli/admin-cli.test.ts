/**
 * zkeb-admin, driven in-process through `main` (and once as the real executable) against a fresh PostgreSQL
 * database: every command, its --json output, its exit codes and its progress line.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as O from 'fp-ts/Option'
import type { Knex } from 'knex'
import { main } from '../../../adapters/composition/admin-main'
import { ExitCode } from '../../../adapters/admin-cli/output'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../../adapters/persistence/knex/knex-backup-repository'
import { knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { knexUploadSessionRepository } from '../../../adapters/persistence/knex/knex-upload-session-repository'
import { migrations } from '../../../adapters/persistence/knex/migrator'
import type { BlobId, Username } from '../../../domain/ids'
import { right } from '../../contracts/harness'
import { keysIn } from '../../contracts/s3-blobs'
import { anUploadSession } from '../../contracts/upload-persistence'
import { aBackup, aBlobId, aDeviceId, anAccount } from '../../support/persistence-builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import { s3ForTest } from '../../support/s3rver'

type Run = Readonly<{ code: number; out: string; err: string }>

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000)

describe('zkeb-admin', function () {
  this.timeout(120_000)
  let db: TestDatabase
  let dataDir: string
  let env: Record<string, string>
  let liveBlobId: BlobId
  const alice = anAccount({ username: 'alice-admin' as Username, quotaLimitBytes: 1_000_000 })

  const admin = async (argv: string[], tty = false): Promise<Run> => {
    let out = ''
    let err = ''
    const code = await main(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s), isTTY: tty },
      env,
    })
    return { code, out, err }
  }
  const json = async (argv: string[]): Promise<unknown> => {
    const run = await admin([...argv, '--json'])
    expect(run.code, run.err).to.equal(ExitCode.ok)
    return JSON.parse(run.out)
  }

  const seed = async (knex: Knex) => {
    const blobs = knexBlobStore(knex)
    const backups = knexBackupRepository(knex)
    await right(knexAccountRepository(knex).create(alice))
    const write = async (size: number) => {
      const blobId = aBlobId()
      await right(blobs.write(alice.accountId, blobId, [new Uint8Array(size)].values() as never))
      return blobId
    }
    liveBlobId = await write(300)
    await right(backups.insert(aBackup(alice.accountId, aDeviceId(), { sizeBytes: 300, blobId: liveBlobId })))
    const trashed = aBackup(alice.accountId, aDeviceId(), {
      sizeBytes: 200,
      blobId: await write(200),
      deletedAt: O.some(daysAgo(40)),
    })
    await right(backups.insert(trashed))
    const oldOrphan = await write(50)
    await write(70) // a fresh orphan: an upload that may still be committing
    await db
      .ownerKnex('zkeb.blobs')
      .where({ blob_id: oldOrphan })
      .update({ created_at: daysAgo(2) })
  }

  before(async () => {
    db = await createTestDatabase()
    await seed(db.appKnex)
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-admin-'))
    env = {
      DATABASE_URL: db.ownerUrl,
      DATA_DIR: dataDir,
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'silent',
    }
  })
  after(async () => {
    await db.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('migrate status: every migration applied, none pending', async () => {
    expect(await json(['migrate', 'status'])).to.deep.include({ pending: 0, waiting: [] })
  })

  it('stats: counts across accounts', async () => {
    expect(await json(['stats'])).to.deep.equal({
      accounts: 1,
      disabledAccounts: 0,
      liveBackups: 1,
      trashedBackups: 1,
      backupBytes: 500,
      blobs: 4,
      blobBytes: 620,
    })
  })

  it('account show, by username or id; quota sets the limit', async () => {
    const byName = (await json(['account', 'show', 'ALICE-admin'])) as { accountId: string; quota: unknown }
    expect(byName.accountId).to.equal(alice.accountId)
    expect(byName.quota).to.deep.equal({ limitBytes: 1_000_000, usedBytes: 500 })
    expect(await json(['account', 'quota', alice.accountId, '2000000'])).to.deep.include({
      quota: { limitBytes: 2_000_000, usedBytes: 500 },
    })
    const text = await admin(['account', 'show', alice.accountId])
    expect(text.out).to.match(/^alice-admin .* active, uses 500 B of 1\.9 MiB\n$/)
  })

  it('purge-trash purges the expired trash; gc-blobs removes only old unreferenced blobs', async () => {
    expect(await json(['purge-trash'])).to.deep.equal({ purged: 1 })
    // The purged backup's blob goes with it; the two orphans remain, one of them too young to collect.
    expect(await json(['gc-blobs', '--dry-run'])).to.deep.equal({ orphans: 1, deleted: 0 })
    expect(await json(['gc-blobs'])).to.deep.equal({ orphans: 1, deleted: 1 })
    expect(await json(['gc-blobs', '--grace-seconds', '0'])).to.deep.equal({ orphans: 1, deleted: 1 })
    expect(await json(['stats'])).to.deep.include({ blobs: 1, liveBackups: 1, trashedBackups: 0 })
  })

  it('gc-snapshots runs the snapshot collector (its work on real packs: test/e2e/snapshot-backup.test.ts)', async () => {
    expect(await json(['gc-snapshots'])).to.deep.equal({ accounts: 0, objects: 0, packs: 0 })
    expect(await json(['gc-snapshots', '--grace-seconds', '0'])).to.deep.equal({
      accounts: 0,
      objects: 0,
      packs: 0,
    })
  })

  it('expire-uploads collects expired resumable uploads and their parts, keeps live ones', async () => {
    const uploads = knexUploadSessionRepository(db.appKnex)
    const expired = anUploadSession(alice.accountId, { expiresAt: daysAgo(1) })
    const live = anUploadSession(alice.accountId, { expiresAt: new Date(Date.now() + 3_600_000) })
    for (const session of [expired, live]) await right(uploads.create(session))
    const partBlob = aBlobId()
    await right(
      knexBlobStore(db.appKnex).write(alice.accountId, partBlob, [new Uint8Array(10)].values() as never),
    )
    await right(uploads.appendPart(alice.accountId, expired.uploadId, 0, { blobId: partBlob, sizeBytes: 10 }))
    expect(await json(['expire-uploads'])).to.deep.equal({ expired: 1 })
    expect(await right(uploads.find(alice.accountId, expired.uploadId))).to.deep.equal(O.none)
    expect(O.isSome(await right(uploads.find(alice.accountId, live.uploadId)))).to.equal(true)
    const blobs = await db.ownerKnex('zkeb.blobs').where({ blob_id: partBlob }).count<[{ count: string }]>()
    expect(Number(blobs[0]?.count)).to.equal(0)
    await right(uploads.remove(alice.accountId, live.uploadId))
  })

  it('gc-blobs with BLOB_STORE=s3: collects an unreferenced object in the bucket, keeps a referenced one', async () => {
    const { client, bucket, server } = await s3ForTest()
    const put = (key: string) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))
    const referenced = `${alice.accountId}/${liveBlobId}`
    const orphan = `${alice.accountId}/${randomUUID()}`
    await put(referenced)
    await put(orphan)
    const s3env = {
      BLOB_STORE: 's3',
      S3_ENDPOINT: server.connection.endpoint ?? '',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    }
    const postgresEnv = env
    env = { ...env, ...s3env }
    try {
      // The default grace (a day) protects both; the database's own blobs table is not looked at.
      expect(await json(['gc-blobs'])).to.deep.equal({ orphans: 0, deleted: 0 })
      expect(await json(['gc-blobs', '--grace-seconds', '0', '--dry-run'])).to.deep.equal({
        orphans: 1,
        deleted: 0,
      })
      expect(await json(['gc-blobs', '--grace-seconds', '0'])).to.deep.equal({ orphans: 1, deleted: 1 })
      expect(await keysIn(client, bucket)).to.deep.equal([referenced])
    } finally {
      env = postgresEnv
      client.destroy()
    }
  })

  it('migrate down, a backfill run with progress, pause and resume, migrate up: the whole expand/contract', async () => {
    // Back to before the tighten step: every newer migration first (newest first), then the tighten itself.
    const tighten = migrations.findIndex((m) => m.name === '20261215000000_tighten_accounts_used_bytes')
    const fromTighten = migrations.slice(tighten).map((m) => m.name)
    for (const _ of fromTighten) expect((await admin(['migrate', 'down'])).code).to.equal(ExitCode.pending)
    await db.ownerKnex.raw('update zkeb.accounts set used_bytes = null')
    await db
      .ownerKnex('zkeb.backfill_jobs')
      .update({ state: 'pending', cursor: null, processed: 0, batches: 0 })
    const status = (await json(['migrate', 'status'])) as { waiting: Array<{ name: string }> }
    // The tighten step waits for its backfill, and every migration after it waits behind it.
    expect(status.waiting.map((w) => w.name)).to.deep.equal(fromTighten)

    expect(await json(['backfill', 'pause', 'accounts-used-bytes'])).to.deep.include({ state: 'paused' })
    const paused = await admin(['backfill', 'run', 'accounts-used-bytes'])
    expect(paused.code).to.equal(ExitCode.paused)
    expect(paused.err).to.equal(
      'zkeb-admin: backfill accounts-used-bytes is paused; progress is kept (resume it)\n',
    )

    const resumed = await admin(
      ['backfill', 'resume', 'accounts-used-bytes', '--batch-size', '1', '--throttle-ms', '0'],
      true,
    )
    expect(resumed.code, resumed.err).to.equal(ExitCode.ok)
    expect(resumed.out).to.match(/^accounts-used-bytes: done, 1 rows in 2 batches/)
    expect(resumed.err).to.include('\raccounts-used-bytes: 1/1 rows (100%)')
    expect((await db.ownerKnex('zkeb.accounts').select('used_bytes'))[0]).to.deep.equal({ used_bytes: 300 })

    const up = await admin(['migrate', 'up'])
    expect(up.code).to.equal(ExitCode.ok)
    expect(up.out).to.include('applied 20261215000000_tighten_accounts_used_bytes')
    expect(await json(['backfill', 'run'])).to.deep.equal([])
  })

  it('account disable: the flag is stored and counted', async () => {
    const disabled = (await json(['account', 'disable', 'alice-admin'])) as { disabledAt: string | null }
    expect(disabled.disabledAt).to.be.a('string')
    expect(await json(['stats'])).to.deep.include({ disabledAccounts: 1 })
  })

  it('one line on stderr and a documented exit code for each failure; nothing on stdout', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['account', 'show', 'nobody-here'], ExitCode.notFound, /^zkeb-admin: no such account\n$/],
      [
        ['backfill', 'run', 'no-such-job'],
        ExitCode.notFound,
        /^zkeb-admin: no backfill named no-such-job\n$/,
      ],
      [['account', 'quota', 'alice-admin', 'lots'], ExitCode.usage, /whole number of bytes/],
      [['frobnicate'], ExitCode.usage, /unknown command frobnicate/],
      [[], ExitCode.usage, /^usage: zkeb-admin COMMAND/],
      [['stats', '--bogus'], ExitCode.usage, /^zkeb-admin: Unknown option '--bogus'/],
      [['gc-blobs', '--grace-seconds=-1'], ExitCode.usage, /--grace-seconds takes a whole number/],
      [['migrate', 'sideways'], ExitCode.usage, /usage: zkeb-admin migrate up\|down\|status/],
    ]
    for (const [argv, code, message] of cases) {
      const run = await admin(argv)
      expect([run.code, run.out], argv.join(' ')).to.deep.equal([code, ''])
      expect(run.err).to.match(message)
    }
    const badConfig = await main(['stats'], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: { ...env, PORT: 'x' },
    })
    expect(badConfig).to.equal(ExitCode.unavailable)
  })

  it('runs as the installed executable (bin.js), with its exit code', async () => {
    const bin = path.join(__dirname, '../../../adapters/admin-cli/bin.js')
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'stats', '--json'], {
      env: { ...process.env, ...env },
    })
    expect(JSON.parse(stdout)).to.include({ accounts: 1 })
    const failed = await promisify(execFile)(process.execPath, [bin, 'account', 'show', 'nobody-here'], {
      env: { ...process.env, ...env },
    }).catch((e: { code: number; stderr: string }) => e)
    expect(failed).to.include({ code: ExitCode.notFound, stderr: 'zkeb-admin: no such account\n' })
  })
})
