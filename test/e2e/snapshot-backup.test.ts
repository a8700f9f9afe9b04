/**
 * Snapshots as a real backup tool, end to end on real processes: the server (`npm start`'s process, PostgreSQL,
 * blobs in a folder) and the client as child processes. A generated tree (test/support/snapshot-tree.ts) is
 * backed up, restored to a fresh folder and compared (bytes, modes, mtimes, symlink targets, empty folders);
 * an unchanged second backup sends no chunk; after three edits only the changed chunks and trees travel; a
 * client killed with SIGKILL mid-backup is finished by the same command sending only what was missing; the
 * collector removes a killed run's orphans and nothing a snapshot references.
 * Size: ZKEB_E2E_FILES (default 5000) and ZKEB_E2E_BYTES (default 64MiB; e.g. 1GiB for the full proof).
 */
import { appendFile, open, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import { findSnapshot, listSnapshot } from '../../client/snapshot'
import { generateSnapshotTree, type GeneratedTree } from '../support/snapshot-tree'
import { connect, type ConnectedClient } from './support/snapshot-client'
import {
  differences,
  folderDigest,
  holdings,
  packBytesOf,
  packCount,
  startSnapshotWorld,
  type Holdings,
  type SnapshotWorld,
} from './support/snapshot-world'
import { gcSnapshots } from './support/snapshot-gc'

const MiB = 1024 * 1024
const sizeOf = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)\s*(|B|KiB|MiB|GiB)$/.exec(text.trim())
  if (m === null) throw new Error(`ZKEB_E2E_BYTES: not a size: ${text}`)
  return Math.round(Number(m[1]) * { '': 1, B: 1, KiB: 1024, MiB, GiB: 1024 * MiB }[m[2]!]!)
}
const totalBytes = sizeOf(process.env['ZKEB_E2E_BYTES'] ?? '64MiB')
const fileCount = Number(process.env['ZKEB_E2E_FILES'] ?? 5000)

type Summary = Readonly<{
  filesNew: number
  filesChanged: number
  filesUnchanged: number
  totalFiles: number
  totalBytes: number
  bytesSent: number
  dataObjectsSent: number
  treeObjectsSent: number
  dirs: number
  symlinks: number
}>
type Backup = Readonly<{ snapshotId: string; summary: Summary }>
type CheckOut = Readonly<{ snapshots: number; dataObjects: number; problems: ReadonlyArray<unknown> }>

const newIn = (after: Holdings, before: Holdings) =>
  [...after.objects.keys()].filter((id) => !before.objects.has(id))
const newPacks = (after: Holdings, before: Holdings) => {
  const old = new Set(before.packs.map((p) => p.packId))
  return after.packs.filter((p) => !old.has(p.packId))
}

/** Every data id of the files at `paths` (relative to the snapshot root) and every tree id of the snapshot. */
const idsOf = async (client: ConnectedClient, snapshotId: string) => {
  const record = await findSnapshot(client.repo, snapshotId)
  const files = new Map<string, ReadonlyArray<string>>()
  const trees = new Set<string>()
  for await (const { path: p, entry } of listSnapshot(client.repo, record)) {
    if (entry.type === 'file') files.set(Buffer.from(p).toString(), entry.content)
    if (entry.type === 'dir') trees.add(entry.subtree)
  }
  return { files, trees }
}

describe('snapshots end to end: a real backup tool (server and client processes)', function () {
  this.timeout(Math.max(600_000, (totalBytes / MiB) * 3_000))
  let world: SnapshotWorld
  let tree: GeneratedTree
  let source: string
  let first: Backup
  let second: Backup
  const timings: Record<string, number> = {}
  const timed = async <A>(label: string, work: () => Promise<A>): Promise<A> => {
    const start = Date.now()
    try {
      return await work()
    } finally {
      timings[label] = Date.now() - start
    }
  }
  const backup = (root: string) => world.run<Backup>(['backup', root])

  before(async () => {
    world = await startSnapshotWorld()
    source = path.join(world.work, 'ZKEB e2e source ✓')
    tree = await timed('generate', () =>
      Promise.resolve(generateSnapshotTree(source, { seed: 1, files: fileCount, bytes: totalBytes })),
    )
  })

  after(async () => {
    if (Object.keys(timings).length > 0)
      console.log(
        `      [${tree?.files} files, ${((tree?.bytes ?? 0) / MiB).toFixed(0)} MiB] ` +
          Object.entries(timings)
            .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
            .join(', '),
      )
    await world?.close()
  })

  it('backs up a tree and restores it to a fresh folder: bytes, modes, mtimes, symlinks, empty folders', async () => {
    first = await timed('first backup', () => backup(source))
    expect(first.summary).to.include({ totalFiles: tree.files, totalBytes: tree.bytes, filesNew: tree.files })
    expect(first.summary.symlinks).to.equal(tree.symlinks)
    const target = path.join(world.work, 'restored-1')
    await timed('restore', () => world.run(['restore', first.snapshotId, '--target', target]))
    const [expected, actual] = await Promise.all([
      folderDigest(source),
      folderDigest(path.join(target, path.basename(source))),
    ])
    expect(differences(actual, expected)).to.deep.equal([])
    const kinds = [...actual.values()].map((e) => e.type)
    expect(kinds.filter((k) => k === 'file')).to.have.length(tree.files)
    expect(kinds.filter((k) => k === 'symlink')).to.have.length(tree.symlinks)
    expect(kinds.filter((k) => k === 'dir')).to.have.length(tree.dirs)
    expect([...actual.values()].filter((e) => e.mode === 0o755)).to.not.be.empty
    await rm(target, { recursive: true })
  })

  it('sends no chunk for an unchanged second backup', async () => {
    const before = await holdings(world.database.ownerUrl)
    second = await timed('unchanged backup', () => backup(source))
    const after = await holdings(world.database.ownerUrl)
    expect(second.summary).to.include({ filesUnchanged: tree.files, dataObjectsSent: 0, bytesSent: 0 })
    expect(newPacks(after, before)).to.deep.equal([])
  })

  it('after three edits sends only the changed chunks and trees (≤ 5 % more)', async () => {
    const client = await connect({ base: world.server().base, ...world })
    const [big, small, medium] = pickEdited(tree, source)
    const handle = await open(path.join(source, big), 'r+')
    await handle.write(
      Buffer.from('an edit in the middle of the largest file'),
      0,
      undefined,
      Math.floor((await handle.stat()).size / 2),
    )
    await handle.close()
    await appendFile(path.join(source, small), 'appended to a small file\n')
    await writeFile(path.join(source, medium), Buffer.alloc(1536 * 1024, 'rewritten medium file '))
    const before = await holdings(world.database.ownerUrl)
    const third = await timed('backup after 3 edits', () => backup(source))
    const after = await holdings(world.database.ownerUrl)
    expect(third.summary).to.include({ filesChanged: 3, filesUnchanged: tree.files - 3, filesNew: 0 })
    const { files, trees } = await idsOf(client, third.snapshotId)
    const root = path.basename(source)
    const changedChunks = new Set([big, small, medium].flatMap((f) => files.get(`${root}/${f}`) ?? []))
    const arrived = newIn(after, before)
    const unexpected = arrived.filter((id) => !changedChunks.has(id) && !trees.has(id))
    expect(unexpected.length, 'objects sent that are neither a changed chunk nor a tree').to.be.at.most(1)
    const allowed = packBytesOf(arrived.map((id) => after.objects.get(id)!.length))
    expect(third.summary.bytesSent).to.be.at.most(allowed * 1.05)
    expect(newPacks(after, before).reduce((a, p) => a + p.sizeBytes, 0)).to.equal(third.summary.bytesSent)
    expect(third.summary.dataObjectsSent).to.be.at.most(3 * 3)
  })

  it('finishes a backup killed with SIGKILL mid-run, sending only what was missing; check --read-data passes', async () => {
    const other = path.join(world.work, 'ZKEB killed run ✓')
    generateSnapshotTree(other, {
      seed: 2,
      files: 300,
      bytes: Math.max(96 * MiB, Math.floor(totalBytes / 4)),
    })
    const before = await holdings(world.database.ownerUrl)
    const killed = await killAfterPacks(world, ['backup', other], before.packs.length + 1)
    expect(killed.signal).to.equal('SIGKILL')
    const afterKill = await holdings(world.database.ownerUrl)
    const sentBeforeKill = newIn(afterKill, before)
    expect(sentBeforeKill.length).to.be.greaterThan(0)
    const resumed = await timed('backup after kill -9', () => backup(other))
    const afterRerun = await holdings(world.database.ownerUrl)
    for (const id of sentBeforeKill)
      expect(afterRerun.referenced.has(id), 'killed run object reused').to.equal(true)
    const rerunPacks = newPacks(afterRerun, afterKill)
    const rerunObjects = newIn(afterRerun, afterKill).map((id) => afterRerun.objects.get(id)!)
    // Every object in the rerun's packs was new: nothing the killed run stored travelled twice.
    expect(rerunPacks.reduce((a, p) => a + p.sizeBytes, 0)).to.equal(
      rerunPacks.reduce(
        (a, p) => a + packBytesOf(rerunObjects.filter((o) => o.packId === p.packId).map((o) => o.length)),
        0,
      ),
    )
    expect(resumed.summary.bytesSent).to.equal(rerunPacks.reduce((a, p) => a + p.sizeBytes, 0))
    const check = await timed('check --read-data', () => world.run<CheckOut>(['check', '--read-data']))
    expect(check.problems).to.deep.equal([])
    expect(check.snapshots).to.equal(4)
  })

  it('the collector removes a killed run’s orphans and nothing a snapshot references', async () => {
    const abandoned = path.join(world.work, 'ZKEB abandoned run ✓')
    generateSnapshotTree(abandoned, { seed: 3, files: 50, bytes: 40 * MiB })
    const before = await holdings(world.database.ownerUrl)
    await killAfterPacks(world, ['backup', abandoned], before.packs.length + 1)
    const orphaned = await holdings(world.database.ownerUrl)
    const orphans = [...orphaned.objects.keys()].filter((id) => !orphaned.referenced.has(id))
    expect(orphans.length).to.be.greaterThan(0)
    const blobsBefore = (await readdir(world.blobDir, { recursive: true })).length
    const collected = await gcSnapshots(world)
    const after = await holdings(world.database.ownerUrl)
    expect(collected.objects).to.equal(orphans.length)
    expect([...after.objects.keys()].sort()).to.deep.equal([...orphaned.referenced].sort())
    expect(collected.packs).to.be.greaterThan(0)
    expect(after.packs.length).to.equal(orphaned.packs.length - collected.packs)
    expect((await readdir(world.blobDir, { recursive: true })).length).to.be.below(blobsBefore)
    // Every referenced object is still stored (the data itself was read and verified before the collection).
    const check = await world.run<CheckOut>(['check'])
    expect(check.problems).to.deep.equal([])
  })
})

/** The largest file, a small non-empty one and a medium one (256 KiB–4 MiB) of the generated tree. */
const pickEdited = (tree: GeneratedTree, _root: string): [string, string, string] => {
  void _root
  const bySize = tree.filePaths.map((p, i) => ({ p, size: tree.sizes[i]! })).sort((a, b) => b.size - a.size)
  const small = bySize.find((f) => f.size > 0 && f.size < 64 * 1024)!
  const medium = bySize.find((f) => f.size >= 256 * 1024 && f.size <= 4 * MiB) ?? bySize[1]!
  return [bySize[0]!.p, small.p, medium.p]
}

/** Starts the client and kills it with SIGKILL once the server holds `packs` packs (fails if it finished). */
const killAfterPacks = async (world: SnapshotWorld, args: ReadonlyArray<string>, packs: number) => {
  const running = world.client(args)
  let finished = false
  void running.done.then(() => (finished = true))
  while (!finished && (await packCount(world.database.ownerUrl)) < packs) await sleep(20)
  if (finished)
    throw new Error(`the client finished before it could be killed: ${(await running.done).stderr}`)
  running.child.kill('SIGKILL')
  const result = await running.done
  // A pack whose body had fully arrived is still committed by the server after the client died: wait for it.
  for (let last = -1, now = await packCount(world.database.ownerUrl); now !== last;) {
    await sleep(1000)
    ;[last, now] = [now, await packCount(world.database.ownerUrl)]
  }
  return result
}
