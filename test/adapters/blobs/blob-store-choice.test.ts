/**
 * Which store takes new blobs (adapters/composition/blob-storage.ts), over a real PostgreSQL database: the
 * explicit BLOB_STORE, postgres beside DATABASE_URL, and for an embedded DATA_DIR the recorded choice (fs for
 * a new folder, postgres for one whose database holds blobs); and the refusals an operator must act on.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { createZkeb } from '../../../adapters/composition'
import {
  chooseLocalBlobStore,
  openBlobStore,
  type OpenBlobStore,
} from '../../../adapters/composition/blob-storage'
import { loadConfig } from '../../../adapters/composition/config'
import { StartupError } from '../../../adapters/composition/startup-error'
import { knexAccountRepository } from '../../../adapters/persistence/knex/knex-account-repository'
import { knexBlobStore } from '../../../adapters/persistence/knex/knex-blob-store'
import { right } from '../../contracts/harness'
import { aBlobId, anAccount, inPieces } from '../../support/persistence-builders'
import { addDevice, anUpload, callerFor, ok, register } from '../../support/test-client'
import { filesUnder } from './small-filesystem'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error,
  )

describe('choosing the blob store', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let dataDir: string
  const opened: OpenBlobStore[] = []

  /** An embedded DATA_DIR's configuration (no DATABASE_URL), or one beside DATABASE_URL. */
  const embedded = (env: Record<string, string> = {}) => loadConfig({ DATA_DIR: dataDir, ...env })
  const external = (env: Record<string, string> = {}) => embedded({ DATABASE_URL: db.ownerUrl, ...env })
  const record = () => readFile(path.join(dataDir, 'blob-store'), 'utf8').catch(() => null)
  const open = async (config: ReturnType<typeof embedded>) => {
    const store = await openBlobStore(config, db.appKnex)
    opened.push(store)
    return store
  }

  before(async () => (db = await createTestDatabase()))
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zkeb-choice-'))
    await db.ownerKnex.raw('truncate zkeb.accounts cascade')
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()))
    await rm(dataDir, { recursive: true, force: true })
  })
  after(() => db.drop())

  it('takes BLOB_STORE as set, and records nothing', async () => {
    expect(await chooseLocalBlobStore(embedded({ BLOB_STORE: 'postgres' }), db.appKnex)).to.equal('postgres')
    expect(await chooseLocalBlobStore(external({ BLOB_STORE: 'fs' }), db.appKnex)).to.equal('fs')
    expect(await record()).to.equal(null)
  })

  it('keeps blobs in PostgreSQL beside DATABASE_URL unless told otherwise, with no folder at all', async () => {
    expect(await chooseLocalBlobStore(external(), db.appKnex)).to.equal('postgres')
    expect((await open(external())).choice).to.deep.equal({ kind: 'postgres' })
  })

  it('gives a new embedded DATA_DIR the folder, records it, and serves both stores', async () => {
    expect(await chooseLocalBlobStore(embedded(), db.appKnex)).to.equal('fs')
    expect(await record()).to.equal('fs\n')
    const { choice } = await open(embedded())
    expect(choice).to.include({ kind: 'local', primary: 'fs' })
  })

  it('keeps an existing embedded DATA_DIR whose database holds blobs on PostgreSQL, and records it', async () => {
    const account = anAccount()
    await right(knexAccountRepository(db.appKnex).create(account))
    await right(knexBlobStore(db.appKnex).write(account.accountId, aBlobId(), inPieces(randomBytes(10), 10)))
    expect(await chooseLocalBlobStore(embedded(), db.appKnex)).to.equal('postgres')
    expect(await record()).to.equal('postgres\n')
    // No blob folder was ever made: nothing else is served.
    expect((await open(embedded())).choice).to.deep.equal({ kind: 'postgres' })
  })

  it('follows the recorded choice, and refuses a record it cannot read', async () => {
    await writeFile(path.join(dataDir, 'blob-store'), 'postgres\n')
    expect(await chooseLocalBlobStore(embedded(), db.appKnex)).to.equal('postgres')
    await writeFile(path.join(dataDir, 'blob-store'), 'minio\n')
    const refused = await rejection(chooseLocalBlobStore(embedded(), db.appKnex))
    expect(refused).to.be.instanceOf(StartupError)
    expect(refused.message).to.match(/blob-store must hold fs or postgres/)
  })

  it('refuses BLOB_STORE=fs beside DATABASE_URL without an explicit BLOB_DIR', async () => {
    const refused = await rejection(open(external({ BLOB_STORE: 'fs' })))
    expect(refused).to.be.instanceOf(StartupError)
    expect(refused.message).to.equal(
      'BLOB_STORE=fs beside DATABASE_URL needs BLOB_DIR, a mounted volume (see docs/operations-blobs.md)',
    )
  })

  it('refuses a second instance on another folder, and accepts one on the same folder', async () => {
    const [a, b] = [path.join(dataDir, 'volume-a'), path.join(dataDir, 'volume-b')]
    await open(external({ BLOB_STORE: 'fs', BLOB_DIR: a }))
    await open(external({ BLOB_STORE: 'fs', BLOB_DIR: a }))
    const refused = await rejection(open(external({ BLOB_STORE: 'fs', BLOB_DIR: b })))
    expect(refused).to.be.instanceOf(StartupError)
    expect(refused.message).to.match(
      /^BLOB_DIR .*volume-b: another ZKEB instance \(host .+\) keeps blobs in a different folder/,
    )
  })

  it('serves an existing folder behind PostgreSQL when postgres takes new blobs (moving back)', async () => {
    const folder = path.join(dataDir, 'volume')
    await (await open(external({ BLOB_STORE: 'fs', BLOB_DIR: folder }))).close()
    const { choice } = await open(external({ BLOB_DIR: folder }))
    expect(choice).to.include({ kind: 'local', primary: 'postgres' })
  })

  it('wires the folder into the application: uploads land there, health checks it, closing unregisters', async () => {
    const folder = path.join(dataDir, 'volume')
    const zkeb = await createZkeb(
      external({ DATABASE_APP_URL: db.appUrl, NODE_ENV: 'test', BLOB_STORE: 'fs', BLOB_DIR: folder }),
    )
    try {
      expect(await zkeb.useCases.checkReadiness()()).to.deep.equal({
        ready: true,
        checks: { database: 'ok', blobs: 'ok', cache: 'ok' },
      })
      const caller = await callerFor(zkeb.useCases, await register(zkeb.useCases))
      const { device, key } = await addDevice(zkeb.useCases, caller)
      const up = anUpload(device.deviceId, key, { content: randomBytes(50_000) })
      const { backup } = await ok(zkeb.useCases.uploadBackup(up.input, inPieces(up.content, 4096), caller))
      expect(await filesUnder(folder)).to.include(
        path.join(caller.accountId.slice(0, 2), caller.accountId, backup.blobId.slice(0, 2), backup.blobId),
      )
      expect(await db.ownerKnex('zkeb.blob_folder_instances').count()).to.deep.equal([{ count: 1 }])
    } finally {
      await zkeb.close()
    }
    expect(await db.ownerKnex('zkeb.blob_folder_instances').count()).to.deep.equal([{ count: 0 }])
  })
})
