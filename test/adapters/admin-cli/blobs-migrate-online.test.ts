/**
 * `zkeb-admin blobs migrate --to fs` beside DATABASE_URL, online: a server that kept blobs in PostgreSQL is
 * redeployed with BLOB_STORE=fs and BLOB_DIR, serves every old blob from PostgreSQL meanwhile, and keeps
 * serving byte-identical downloads while the command moves them under it. A blob whose stored bytes no longer
 * match its backup record is not moved, and is reported. The command refuses settings that would leave blobs
 * behind.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { main } from '../../../adapters/composition/admin-main'
import { ExitCode } from '../../../adapters/admin-cli/output'
import { startTarget, type Target } from '../../attacks/attack-kit'
import { aUserWithDevice, logInOverHttp, uploadOverHttp } from '../http/http-test-kit'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'
import { anUpload, type AnUpload } from '../../support/test-client'
import { filesUnder } from '../blobs/small-filesystem'

const MiB = 1024 * 1024

describe('zkeb-admin blobs migrate beside DATABASE_URL (online)', function () {
  this.timeout(180_000)
  let db: TestDatabase
  let folder: string
  let dataDir: string
  let server: Target | undefined

  /** The suite's database for every server it starts (a server's close does not drop it). */
  const serve = (env: Record<string, string> = {}) =>
    startTarget({ env, database: () => Promise.resolve({ ...db, drop: () => Promise.resolve() }) })

  const admin = async (argv: string[], env: Record<string, string>) => {
    let out = ''
    let err = ''
    const code = await main([...argv, '--json'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {
        DATABASE_URL: db.ownerUrl,
        DATABASE_APP_URL: db.appUrl,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...env,
      },
    })
    return { code, err, result: out === '' ? {} : (JSON.parse(out) as Record<string, unknown>) }
  }

  const download = async (token: string, upload: AnUpload) => {
    const res = await server!.call('GET', `/api/v1/backups/${upload.input.backupId}/content`, { token })
    expect(res.status).to.equal(200)
    return Buffer.from(await res.arrayBuffer())
  }

  before(async () => {
    db = await createTestDatabase()
    folder = await mkdtemp(path.join(os.tmpdir(), 'zkeb-online-volume-'))
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zkeb-online-admin-'))
  })
  after(async () => {
    await server?.close()
    await db.drop()
    await rm(folder, { recursive: true, force: true })
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses to move blobs to a folder the instances do not write to', async () => {
    const unset = await admin(['blobs', 'migrate', '--to', 'fs'], {})
    expect(unset.code).to.equal(ExitCode.usage)
    expect(unset.err).to.match(/first deploy every instance with BLOB_STORE=fs and BLOB_DIR/)
    const other = await admin(['blobs', 'migrate', '--to', 'fs'], {
      BLOB_STORE: 'postgres',
      BLOB_DIR: folder,
    })
    expect(other.code).to.equal(ExitCode.usage)
    expect(other.err).to.match(/BLOB_STORE=postgres would keep sending new blobs there/)
    const noFolder = await admin(['blobs', 'migrate', '--to', 'fs'], { BLOB_STORE: 'fs' })
    expect(noFolder.code).to.equal(ExitCode.usage)
    const wrong = await admin(['blobs', 'migrate', '--to', 's3'], { BLOB_STORE: 'fs', BLOB_DIR: folder })
    expect(wrong.code).to.equal(ExitCode.usage)
  })

  it('moves the blobs under a serving instance, which answers byte for byte throughout', async () => {
    server = await serve()
    const user = await aUserWithDevice(server)
    const uploads = [1, 300_000, 2 * MiB + 5, 700_000, 5_000].map((size) =>
      anUpload(user.device.deviceId, user.device.key, { content: randomBytes(size) }),
    )
    for (const upload of uploads)
      expect((await uploadOverHttp(server, user.token, upload)).status).to.equal(201)
    const [corrupted, ...intact] = uploads
    await db.ownerKnex.transaction(async (trx) => {
      await trx.raw("select set_config('zkeb.account_id', ?, true)", [user.account.accountId])
      const [row] = await trx('zkeb.backups')
        .where({ backup_id: corrupted!.input.backupId })
        .select<Array<{ blob_id: string }>>('blob_id')
      await trx('zkeb.blob_chunks')
        .where({ blob_id: row!.blob_id })
        .update({ data: Buffer.from([0x42]) })
    })
    await server.close()

    // Redeployed with the folder: old blobs come from PostgreSQL, new ones go to the folder.
    const fs = { BLOB_STORE: 'fs', BLOB_DIR: folder }
    server = await serve(fs)
    const token = (await logInOverHttp(server, user.account)).accessToken
    for (const upload of intact) expect((await download(token, upload)).equals(upload.content)).to.equal(true)

    let reads = 0
    let moving = true
    const reading = (async () => {
      while (moving)
        for (const upload of intact) {
          expect((await download(token, upload)).equals(upload.content)).to.equal(true)
          reads++
        }
    })()
    const run = await admin(['blobs', 'migrate', '--to', 'fs', '--throttle-ms', '100'], fs).finally(
      () => (moving = false),
    )
    await reading
    expect(reads).to.be.greaterThan(intact.length)
    expect(run.code, run.err).to.equal(ExitCode.conflict)
    expect(run.result).to.deep.include({ from: 'postgres', to: 'fs', moved: 4, failed: [] })
    expect(run.result['mismatched']).to.have.length(1)
    expect(Number((await db.ownerKnex('zkeb.blobs').count())[0]?.count)).to.equal(1)
    const files = (await filesUnder(folder)).filter((f) => path.basename(f) !== '.zkeb-folder-id')
    expect(files).to.have.length(4)
    for (const upload of intact) expect((await download(token, upload)).equals(upload.content)).to.equal(true)
    const fresh = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(10_000) })
    expect((await uploadOverHttp(server, token, fresh)).status).to.equal(201)
    expect((await download(token, fresh)).equals(fresh.content)).to.equal(true)
  })
})
