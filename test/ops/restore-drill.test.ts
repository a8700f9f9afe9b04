/**
 * The restore drill (ops/drill/restore-drill.ts) in CI, for the embedded default and for an external
 * PostgreSQL with S3 (s3rver): a serving ZKEB backed up while clients upload, lost, restored into fresh storage,
 * started and checked as its clients see it; at least 20 uploads commit during the backup, and each is after
 * the restore complete or absent. Then the backup folder is scanned like the zero-knowledge scan: none of the
 * service's secrets (OPAQUE server setup, token secret, database passwords), the users' passwords, the restic
 * token or the passphrase appears in any encoding; a canary planted first proves the scan reads the folder.
 * Needs `restic` (and TEST_DATABASE_URL for the external setup): missing, the suite skips locally and fails in CI.
 */
import { hkdfSync } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { expect } from 'chai'
import { listFiles } from '../../adapters/composition/disaster-recovery/file-tree'
import { type DrillReport, runRestoreDrill } from '../../ops/drill/restore-drill'
import type { DrillTarget } from '../../ops/drill/restore-drill-stack'
import { scan, textSecret, type Secret, type Source } from '../e2e/support/secret-scanner'
import { resticAvailable } from '../support/restic'
import { s3rver } from '../support/s3rver'

const folderSources = async (folder: string): Promise<ReadonlyArray<Source>> => {
  const sources: Source[] = []
  for (const file of await listFiles(folder))
    sources.push({ name: file, bytes: await readFile(path.join(folder, file)) })
  return sources
}

/** What the server derives for its database role from TOKEN_SECRET when DATABASE_APP_URL is unset. */
const derivedAppPassword = (tokenSecret: string): string =>
  Buffer.from(hkdfSync('sha256', tokenSecret, Buffer.alloc(0), 'zkeb/v1/database-app-password', 32)).toString(
    'base64url',
  )

const secretsOf = (report: DrillReport): ReadonlyArray<Secret> => {
  const secrets = report.secrets.map((s) => textSecret(s.label, s.value))
  const token = report.secrets.find((s) => s.label === 'DATA_DIR/secrets/token-secret')
  return token === undefined
    ? secrets
    : [...secrets, textSecret('derived zkeb_app password', derivedAppPassword(token.value))]
}

/** The scan finds a planted secret (it reads the folder), then finds nothing once the canary is gone. */
const expectNoSecretInClear = async (report: DrillReport): Promise<void> => {
  const secrets = secretsOf(report)
  const labels = secrets.map((s) => s.label)
  expect(labels).to.include.members([
    'DATA_DIR/secrets/opaque-server-setup',
    'DATA_DIR/secrets/token-secret',
    'backup passphrase',
  ])
  if (report.kind === 'embedded')
    expect(labels).to.include.members([
      'DATA_DIR/secrets/postgres-superuser-password',
      'DATA_DIR/secrets/postgres-app-password',
    ])
  const canary = path.join(report.backupFolder, 'database', 'canary')
  await writeFile(
    canary,
    `setup=${report.secrets.find((s) => s.label.endsWith('opaque-server-setup'))!.value}`,
  )
  const planted = scan(await folderSources(report.backupFolder), secrets)
  await rm(canary)
  expect(planted.map((f) => [f.source, f.secret])).to.deep.include([
    'database/canary',
    'DATA_DIR/secrets/opaque-server-setup',
  ])
  const sources = await folderSources(report.backupFolder)
  expect(sources.map((s) => s.name)).to.include.members(['manifest.json', 'secrets.age'])
  expect(scan(sources, secrets)).to.deep.equal([])
}

const drill = async (target: DrillTarget): Promise<void> => {
  const report = await runRestoreDrill(target)
  try {
    const { timingsMs, backupWindowMs, counts } = report
    process.stdout.write(`      ${target.kind}: ${JSON.stringify({ timingsMs, backupWindowMs, counts })}\n`)
    expect(counts.users).to.equal(3)
    expect(counts.resticObjects).to.be.greaterThan(5)
    expect(counts.committedDuringBackup).to.be.at.least(20)
    expect(counts.present + counts.absent).to.equal(counts.loadUploads)
    expect(counts.present).to.be.greaterThan(0)
    expect(counts.absent).to.be.greaterThan(0)
    await expectNoSecretInClear(report)
  } finally {
    await report.cleanup()
  }
}

describe('restore drill: back up under load, lose everything, restore, check as clients do', function () {
  this.timeout(300_000)

  before(function () {
    if (!resticAvailable()) this.skip()
  })

  it('embedded PostgreSQL and blob files in DATA_DIR (the default)', async () => {
    await drill({ kind: 'embedded' })
  })

  it('external PostgreSQL (pg_dump) and S3 (s3rver)', async function () {
    const databaseServerUrl = process.env['TEST_DATABASE_URL']
    if (databaseServerUrl === undefined || databaseServerUrl === '') {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is required in CI')
      return this.skip()
    }
    const { connection } = await s3rver()
    await drill({ kind: 'external', databaseServerUrl, s3: connection })
  })
})
