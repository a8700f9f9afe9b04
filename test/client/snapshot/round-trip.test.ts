import { appendFile, open, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  backup,
  check,
  diffSnapshots,
  inMemorySnapshotStore,
  listSnapshot,
  recordSigningBytes,
  restore,
  type BackupResult,
  type Repository,
  type SnapshotRecord,
} from '../../../client/snapshot'
import { aSigner, expectSameFolder, generateTree, removeDir, repositoryOver, tempDir } from './snapshot-kit'

const right = <A>(e: E.Either<{ _tag: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(`unexpected Left: ${JSON.stringify(e.left)}`)
  return e.right
}

describe('snapshot round trip (in-memory store, real files)', function () {
  this.timeout(120_000)
  let source: string
  let store: ReturnType<typeof inMemorySnapshotStore>
  let repo: Repository
  let signer: Awaited<ReturnType<typeof aSigner>>
  let first: BackupResult
  const dirs: string[] = []
  const fresh = async (name: string) => {
    const d = await tempDir(name)
    dirs.push(d)
    return d
  }
  const run = (paths = [source]) =>
    backup(repo, { paths, host: 'test-host', deviceId: signer.deviceId, sign: signer.sign }).then(right)
  const restoreTo = async (record: SnapshotRecord, subPath?: string) => {
    const target = await fresh('restore')
    return { target, summary: right(await restore(repo, record, { target, subPath })) }
  }

  before(async () => {
    source = join(await fresh('source'), 'tree')
    await generateTree(source)
    store = inMemorySnapshotStore()
    repo = await repositoryOver(store)
    signer = await aSigner()
    first = await run()
  })
  after(async () => {
    for (const d of dirs) await removeDir(d)
  })

  it('restores the tree identically: bytes, modes, mtimes, symlink targets, empty folders, raw names', async () => {
    const { target, summary } = await restoreTo(first.record!)
    await expectSameFolder(join(target, 'tree'), source)
    expect(summary.filesSkipped).to.equal(0)
    expect(first.metadata.summary).to.include({
      filesNew: 12,
      filesChanged: 0,
      filesUnchanged: 0,
      symlinks: 3,
    })
  })

  it('signs the snapshot with the device key over the v1.1 signing bytes of the stored record', async () => {
    const record = first.record!
    const bytes = recordSigningBytes(record)
    const subtle = globalThis.crypto.subtle
    expect(await subtle.verify('Ed25519', signer.publicKey, record.signature, bytes)).to.equal(true)
    const forged = recordSigningBytes({ ...record, refCount: record.refCount - 1 })
    expect(await subtle.verify('Ed25519', signer.publicKey, record.signature, forged)).to.equal(false)
  })

  it('a second backup of the unchanged tree reads no file and uploads nothing', async () => {
    const packsBefore = store.counters.packs
    const second = await run()
    expect(second.metadata.summary).to.include({
      filesNew: 0,
      filesChanged: 0,
      filesUnchanged: 12,
      bytesRead: 0,
      bytesSent: 0,
    })
    expect(second.metadata.parent).to.equal(first.snapshotId)
    expect(store.counters.packs).to.equal(packsBefore)
    expect(second.metadata.tree).to.equal(first.metadata.tree)
  })

  it('an insertion in the middle of a large file sends only a few chunks and the changed trees', async () => {
    const path = join(source, 'big.bin')
    const bytes = await readFile(path)
    await writeFile(
      path,
      Buffer.concat([bytes.subarray(0, 3_000_000), Buffer.from('INSERTED'), bytes.subarray(3_000_000)]),
    )
    const third = await run()
    expect(third.metadata.summary).to.include({ filesChanged: 1, filesUnchanged: 11, dataObjectsSent: 1 })
    expect(third.metadata.summary.treeObjectsSent).to.equal(2) // the folder and the root
    const { target } = await restoreTo(third.record!)
    await expectSameFolder(join(target, 'tree'), source)
  })

  it('restores a sub-path, lists it, and diffs two snapshots', async () => {
    const { target } = await restoreTo(first.record!, 'tree/docs/deep')
    await expectSameFolder(target, join(source, 'docs/deep'))
    const listed: string[] = []
    for await (const l of listSnapshot(repo, first.record!, 'tree/docs'))
      listed.push(Buffer.from(l.path).toString())
    expect(listed).to.include.members([
      'tree/docs/readme.txt',
      'tree/docs/also empty',
      'tree/docs/deep/deeper/deepest/leaf.bin',
    ])
    const latest = right(await store.listSnapshots({})()).items[0]!
    const changes: string[] = []
    for await (const c of diffSnapshots(repo, first.record!, latest))
      changes.push(`${c.change} ${Buffer.from(c.path).toString()}`)
    expect(changes).to.deep.equal(['content tree/big.bin'])
  })

  it('resumes an interrupted restore: complete files are verified and kept, the rest rewritten', async () => {
    const { target } = await restoreTo(first.record!)
    await truncate(join(target, 'tree/dup-a.bin'), 1000)
    await rm(join(target, 'tree/docs/readme.txt'))
    const handle = await open(join(target, 'tree/dup-b.bin'), 'r+')
    await handle.write(Buffer.from('X'), 0, 1, 10) // same size, other bytes: must not pass for complete
    await handle.close()
    const again = right(await restore(repo, first.record!, { target }))
    expect(again).to.include({ filesRestored: 3, filesSkipped: 9 })
    const reference = await restoreTo(first.record!)
    await expectSameFolder(join(target, 'tree'), join(reference.target, 'tree'))
  })

  it('check passes with read-data, and finds a corrupted object', async () => {
    const ok = right(await check(repo, { readData: true }))
    expect(ok.problems).to.deep.equal([])
    expect(ok.snapshots).to.be.greaterThan(1)
    const victim = (await (async () => {
      for await (const l of listSnapshot(repo, first.record!, 'tree/docs/readme.txt'))
        if (l.entry.type === 'file') return l.entry.content[0]!
    })())!
    store.corrupt(victim)
    const bad = right(await check(repo, { readData: true }))
    expect(bad.problems).to.deep.equal([
      { id: victim, error: { _tag: 'ObjectCorrupt', id: victim, reason: 'auth' } },
    ])
    store.corrupt(victim) // flip it back
    await appendFile(join(source, 'docs/readme.txt'), '')
  })
})
