/**
 * The instance registry over a real PostgreSQL database: instances on one folder (one identity) live side by
 * side; one on another folder is refused while any of them is live, and accepted once they closed or their
 * heartbeat went stale; an instance whose row went stale while another folder took over reports a problem.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { existingFolderId, openBlobFolder } from '../../../adapters/blobs/fs/blob-folder'
import {
  FolderConflict,
  type FolderRegistration,
  registerBlobFolder,
  type RegistryTiming,
} from '../../../adapters/blobs/fs/knex-blob-folder-registry'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  )

const until = async (what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  for (const at = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 50)))
    if (Date.now() - at > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
}

describe('blob folder identity and instance registry', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let parent: string
  const open: FolderRegistration[] = []
  const register = async (folderId: string, timing?: RegistryTiming) => {
    const registration = await registerBlobFolder(db.appKnex, folderId, timing)
    open.push(registration)
    return registration
  }

  before(async () => {
    db = await createTestDatabase()
    parent = await mkdtemp(path.join(tmpdir(), 'zkeb-registry-'))
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()))
    await db.ownerKnex('zkeb.blob_folder_instances').delete()
  })
  after(async () => {
    await db.drop()
    await rm(parent, { recursive: true, force: true })
  })

  it('gives a folder one identity, kept in the folder, and another folder another', async () => {
    const root = path.join(parent, 'a')
    expect(await existingFolderId(root)).to.equal(null)
    const first = await openBlobFolder(root)
    expect(await openBlobFolder(root)).to.deep.equal(first)
    expect(await existingFolderId(root)).to.equal(first.folderId)
    expect((await openBlobFolder(path.join(parent, 'b'))).folderId).to.not.equal(first.folderId)
  })

  it('refuses an instance on another folder while one is live, and accepts it once that one closed', async () => {
    const [x, y] = [
      await openBlobFolder(path.join(parent, 'x')),
      await openBlobFolder(path.join(parent, 'y')),
    ]
    const first = await register(x.folderId)
    await register(x.folderId) // a second instance on the same (shared) folder
    const refused = await rejection(register(y.folderId))
    expect(refused).to.be.instanceOf(FolderConflict)
    expect((refused as Error).message).to.match(/^another ZKEB instance \(host .+, pid \d+, seen \d+ s ago\)/)
    await first.close()
    await rejection(register(y.folderId)) // the second one on x is still live
    await Promise.all(open.splice(0).map((r) => r.close()))
    const later = await register(y.folderId)
    expect(later.problem()).to.equal(null)
    expect(await db.ownerKnex('zkeb.blob_folder_instances').pluck('folder_id')).to.deep.equal([y.folderId])
  })

  it('forgets an instance whose heartbeat went stale, and refuses it back beside the folder that took over', async () => {
    const [x, y] = [
      await openBlobFolder(path.join(parent, 'p')),
      await openBlobFolder(path.join(parent, 'q')),
    ]
    const timing = { heartbeatMs: 300, staleAfterMs: 3_000 }
    const paused = await register(x.folderId, { ...timing, heartbeatMs: 60_000 }) // its heartbeat stopped
    await rejection(register(y.folderId, timing))
    await db.ownerKnex.raw(
      "update zkeb.blob_folder_instances set heartbeat_at = now() - interval '5 seconds'",
    )
    await register(y.folderId, timing)
    expect(paused.problem()).to.equal(null)
    // x's instance restarting is refused now that y's folder is the live one.
    const resumed = await register(x.folderId, timing).then(
      () => expect.fail('x must not register beside the live y'),
      (e: unknown) => e,
    )
    expect(resumed).to.be.instanceOf(FolderConflict)
  })

  it('reports a problem when its own row is gone and another folder is live at its next heartbeat', async () => {
    const [x, y] = [
      await openBlobFolder(path.join(parent, 's')),
      await openBlobFolder(path.join(parent, 't')),
    ]
    const timing = { heartbeatMs: 300, staleAfterMs: 3_000 }
    const paused = await register(x.folderId, timing)
    // What a pause longer than the stale limit does: another instance forgot x and registered y.
    await db.ownerKnex('zkeb.blob_folder_instances').delete()
    await db.ownerKnex('zkeb.blob_folder_instances').insert({
      instance_id: '00000000-0000-4000-8000-000000000001',
      folder_id: y.folderId,
      host: 'elsewhere',
      pid: 1,
    })
    await until('the paused instance notices', () => paused.problem() !== null)
    expect(paused.problem()).to.be.instanceOf(FolderConflict)
  })

  it('removes its row when closed', async () => {
    const x = await openBlobFolder(path.join(parent, 'r'))
    const registration = await register(x.folderId)
    expect(await db.ownerKnex('zkeb.blob_folder_instances').count()).to.deep.equal([{ count: 1 }])
    await registration.close()
    await registration.close()
    expect(await db.ownerKnex('zkeb.blob_folder_instances').count()).to.deep.equal([{ count: 0 }])
  })
})
