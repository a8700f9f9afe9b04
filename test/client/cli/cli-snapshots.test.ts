/**
 * The snapshot commands end to end through the real CLI against a real server (PostgreSQL): backup, an
 * incremental backup, snapshots, ls, restore (whole and a sub-path, and resumed), diff, stats, check, forget.
 */
import { readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import { expectSameFolder, removeDir, tempDir } from '../snapshot/snapshot-kit'
import { aSmallTree, aSnapshotCli, type SnapshotCli } from './snapshot-kit'

type Backed = { snapshotId: string; parent: string | null; summary: Record<string, number> }
type Listed = { snapshotId: string; paths: string[]; tags: string[]; parent: string | null }

describe('zkeb snapshot commands against a real server', function () {
  this.timeout(60_000)
  let cli: SnapshotCli
  let work: string
  let tree: string
  let first: Backed
  let second: Backed

  before(async () => {
    cli = await aSnapshotCli()
    work = await tempDir('cli-snapshots')
    tree = await aSmallTree(work)
  })
  after(async () => {
    await cli.server.close()
    await removeDir(work)
  })

  it('backs up a folder and ends with a summary line', async () => {
    const result = await cli.ok(['backup', tree, '--tag', 'first', '--exclude', '*.tmp'])
    expect(result.stdout).to.match(
      /^snapshot [0-9a-f]{8} saved \(no parent\); files: 5 new, 0 changed, 0 unchanged; .+ read, .+ sent, \d+\.\d s\n$/,
    )
    expect(result.stderr).to.equal('') // no progress bar off a terminal
    first = (await cli.json<Listed[]>(['snapshots']))[0] as unknown as Backed
  })

  it('backs up again incrementally: the changed file only, the first snapshot as parent', async () => {
    await writeFile(join(tree, 'docs/readme.txt'), 'hello again\n')
    await writeFile(join(tree, 'skip.tmp'), 'excluded\n')
    second = await cli.json<Backed>(['backup', tree, '--exclude', '*.tmp'])
    expect(second.parent).to.equal(first.snapshotId)
    expect(second.summary).to.include({ filesNew: 0, filesChanged: 1, filesUnchanged: 4 })
    expect(second.summary.bytesRead).to.equal('hello again\n'.length)
  })

  it('lists snapshots newest first, as text and JSON', async () => {
    const listed = await cli.json<Listed[]>(['snapshots'])
    expect(listed.map((s) => s.snapshotId)).to.deep.equal([second.snapshotId, first.snapshotId])
    expect(listed[1]!.tags).to.deep.equal(['first'])
    expect(listed[0]!.paths).to.deep.equal([tree])
    const text = (await cli.ok(['snapshots'])).stdout.split('\n')
    expect(text[0]).to.match(new RegExp(`^${second.snapshotId.slice(0, 8)}  `))
    expect(text[1]).to.include('[first]')
  })

  it('lists a snapshot and a path inside it, by id prefix', async () => {
    const all = await cli.json<Array<{ path: string; type: string; mode: string; target?: string }>>([
      'ls',
      second.snapshotId.slice(0, 8),
    ])
    const byPath = new Map(all.map((e) => [e.path, e]))
    expect(byPath.get('tree/run.sh')).to.include({ type: 'file', mode: '0755' })
    expect(byPath.get('tree/link-relative')).to.include({ type: 'symlink', target: 'docs/readme.txt' })
    expect(byPath.has('tree/héllo wörld ✓ 日本.txt')).to.equal(true)
    expect(byPath.has('tree/skip.tmp')).to.equal(false)
    const sub = (await cli.ok(['ls', `${second.snapshotId}:tree/docs`])).stdout
    expect(
      sub
        .trim()
        .split('\n')
        .map((l) => l.split('  ').pop()),
    ).to.deep.equal([
      'tree/docs/also empty',
      'tree/docs/deep',
      'tree/docs/deep/data.bin',
      'tree/docs/readme.txt',
    ])
  })

  it('restores the whole snapshot identically: bytes, modes, mtimes, symlinks, empty folders, unicode', async () => {
    await rm(join(tree, 'skip.tmp'))
    const target = join(work, 'restored')
    const result = await cli.ok(['restore', second.snapshotId.slice(0, 6), '--target', target])
    expect(result.stdout).to.match(/^Restored [0-9a-f]{8} into .+: 5 files written, 0 already complete/)
    await expectSameFolder(join(target, 'tree'), tree)
  })

  it('restores a sub-path only: a folder’s contents, or a file, under the target', async () => {
    const target = join(work, 'sub')
    await cli.ok(['restore', `${second.snapshotId}:tree/docs/deep`, '--target', target])
    expect(await cli.json<unknown[]>(['ls', `${second.snapshotId}:tree/docs/deep`])).to.have.length(1)
    expect(await readFile(join(target, 'data.bin'))).to.deep.equal(
      await readFile(join(tree, 'docs/deep/data.bin')),
    )
    const file = join(work, 'one')
    await cli.ok(['restore', `${first.snapshotId}:tree/docs/readme.txt`, '--target', file])
    expect(await readFile(join(file, 'readme.txt'), 'utf8')).to.equal('hello\n')
  })

  it('resumes an interrupted restore: complete files are kept, cut ones rewritten', async () => {
    const target = join(work, 'resumed')
    await cli.ok(['restore', second.snapshotId, '--target', target])
    await truncate(join(target, 'tree/docs/deep/data.bin'), 1000) // as a killed run leaves it
    const again = await cli.json<{ filesRestored: number; filesSkipped: number }>([
      'restore',
      second.snapshotId,
      '--target',
      target,
    ])
    expect(again).to.include({ filesRestored: 1, filesSkipped: 4 })
    await expectSameFolder(join(target, 'tree'), tree)
  })

  it('diffs two snapshots', async () => {
    const result = await cli.ok(['diff', first.snapshotId.slice(0, 8), second.snapshotId.slice(0, 8)])
    // skip.tmp, created then excluded, still moved the folder's mtime.
    expect(result.stdout).to.equal(
      'U tree\nM tree/docs/readme.txt\n0 added, 0 removed, 1 modified, 1 metadata only\n',
    )
    const json = await cli.json<{ changes: unknown[] }>(['diff', first.snapshotId, second.snapshotId])
    expect(json.changes).to.deep.equal([
      { path: 'tree', change: 'metadata' },
      { path: 'tree/docs/readme.txt', change: 'content' },
    ])
  })

  it('reports stored against logical bytes and checks every snapshot, reading the data too', async () => {
    const stats = await cli.json<{
      snapshots: number
      storedBytes: number
      logicalBytes: number
      dedupRatio: number
    }>(['stats'])
    expect(stats.snapshots).to.equal(2)
    expect(stats.logicalBytes).to.be.greaterThan(2 * 700_000)
    expect(stats.dedupRatio).to.be.closeTo(stats.logicalBytes / stats.storedBytes, 1e-9)
    expect(stats.dedupRatio).to.be.greaterThan(1.5) // the second snapshot stored almost nothing new
    expect((await cli.ok(['stats'])).stdout).to.match(/dedup ratio: +\d+\.\d\dx/)
    expect((await cli.ok(['check'])).stdout).to.match(
      /^No problems: 2 snapshots, \d+ trees, \d+ data objects\.\n$/,
    )
    expect((await cli.ok(['check', '--read-data'])).stdout).to.include('of data read and verified')
  })

  it('keeps snapshots readable and deduplicated across a key rotation (the snapshot key is re-wrapped)', async () => {
    const rotated = await cli.zkeb(['rotate-keys'], { env: { ZKEB_RECOVERY_KEY: cli.recoveryKey } })
    expect(rotated.code, rotated.stderr).to.equal(0)
    expect((await cli.ok(['check', '--read-data'])).stdout).to.match(/^No problems: 2 snapshots/)
    const again = await cli.json<Backed>(['backup', tree])
    expect(again.parent).to.equal(second.snapshotId)
    expect(again.summary).to.include({ filesNew: 0, filesChanged: 0, bytesRead: 0 })
    await cli.ok(['forget', again.snapshotId])
  })

  it('dry-runs a backup without storing a snapshot', async () => {
    const dry = await cli.json<{ dryRun: boolean }>(['backup', tree, '--dry-run'])
    expect(dry.dryRun).to.equal(true)
    expect(await cli.json<unknown[]>(['snapshots'])).to.have.length(2)
  })

  it('forgets a snapshot by prefix, and keeps listing per-file backups with a bare ls', async () => {
    const forgot = await cli.json<{ forgotten: string[] }>(['forget', first.snapshotId.slice(0, 8)])
    expect(forgot.forgotten).to.deep.equal([first.snapshotId])
    expect((await cli.json<Listed[]>(['snapshots'])).map((s) => s.snapshotId)).to.deep.equal([
      second.snapshotId,
    ])
    const perFile = await cli.json<Array<{ metadata: { name: string } }>>(['ls'])
    expect(perFile.map((b) => b.metadata.name)).to.deep.equal(['.zkeb-keyring']) // from rotate-keys
  })
})
