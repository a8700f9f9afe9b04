import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { asKey, type Bkk } from '../../../client/crypto'
import {
  backup,
  check,
  computeObjectId,
  inMemorySnapshotStore,
  listSnapshot,
  openRepository,
  restore,
  rewrapRepositoryKey,
  storeUnavailable,
  type SnapshotStore,
} from '../../../client/snapshot'
import { seededBytes } from './deterministic'
import {
  aBkk,
  aSigner,
  expectSameFolder,
  generateTree,
  removeDir,
  repositoryOver,
  tempDir,
} from './snapshot-kit'

describe('snapshot backups: failures, retries, GC and keys', function () {
  this.timeout(120_000)
  let root: string
  let source: string
  let signer: Awaited<ReturnType<typeof aSigner>>
  before(async () => {
    root = await tempDir('behaviour')
    source = join(root, 'tree')
    await generateTree(source, 40 * 1024 * 1024)
    signer = await aSigner()
  })
  after(() => removeDir(root))
  const options = (o: object = {}) => ({
    paths: [source],
    host: 'h',
    deviceId: signer.deviceId,
    sign: signer.sign,
    ...o,
  })

  it('a killed run leaves only objects; the next run sends what is missing; GC removes the orphans only', async () => {
    const store = inMemorySnapshotStore()
    let packsAllowed = 1
    const dying: SnapshotStore = {
      ...store,
      putPack: (pack) => (packsAllowed-- > 0 ? store.putPack(pack) : TE.left(storeUnavailable('killed'))),
    }
    const killed = await backup(await repositoryOver(dying), options())
    expect(E.isLeft(killed)).to.equal(true)
    const afterKill = E.getOrElseW(() => undefined)(await store.stats()())!
    expect(afterKill).to.include({ packs: 1, snapshots: 0 })

    const repo = await repositoryOver(store)
    const completed = await backup(repo, options())
    if (E.isLeft(completed)) throw new Error(completed.left._tag)
    const clean = inMemorySnapshotStore()
    await clean.putKey(O.toUndefined(E.getOrElseW(() => O.none)(await store.getKey()()))!)()
    const reference = await backup(await repositoryOver(clean), options())
    if (E.isLeft(reference)) throw new Error(reference.left._tag)
    const sent = completed.right.metadata.summary.dataObjectsSent
    const total = reference.right.metadata.summary.dataObjectsSent
    expect(sent).to.be.greaterThan(0)
    expect(sent).to.be.lessThan(total)
    expect(store.collectGarbage()).to.deep.equal({ objects: 0, packs: 0 })

    await writeFile(join(source, 'big.bin'), seededBytes(40 * 1024 * 1024, 77)) // the killed run's big chunks become orphans
    const replaced = await backup(repo, { ...options(), parent: 'none' })
    if (E.isLeft(replaced)) throw new Error(replaced.left._tag)
    expect(store.collectGarbage()).to.deep.equal({ objects: 0, packs: 0 }) // the first snapshot still keeps them
    await store.deleteSnapshot(completed.right.snapshotId)()
    const collected = store.collectGarbage()
    expect(collected.objects).to.be.greaterThan(0)
    const report = await check(repo, { readData: true })
    expect(E.isRight(report) && report.right.problems).to.deep.equal([])
  })

  it('repeats the run without a parent whose objects were collected meanwhile', async () => {
    const store = inMemorySnapshotStore()
    const repo = await repositoryOver(store)
    const first = await backup(repo, options())
    if (E.isLeft(first)) throw new Error(first.left._tag)
    await store.deleteSnapshot(first.right.snapshotId)()
    store.collectGarbage()
    const stale: SnapshotStore = {
      ...store,
      listSnapshots: () => TE.right({ items: [first.right.record!], nextCursor: null }),
    }
    const second = await backup({ ...repo, store: stale }, options())
    if (E.isLeft(second)) throw new Error(second.left._tag)
    expect(second.right.metadata.parent).to.equal(null)
    expect(second.right.metadata.summary.filesUnchanged).to.equal(0)
    const target = join(root, 'restored-after-retry')
    expect(E.isRight(await restore(repo, second.right.record!, { target }))).to.equal(true)
    await expectSameFolder(join(target, 'tree'), source)
  })

  it('honours excludes, dry runs and the quota', async () => {
    const store = inMemorySnapshotStore()
    const repo = await repositoryOver(store)
    const dry = await backup(repo, options({ dryRun: true }))
    expect(E.isRight(dry) && dry.right.record).to.equal(undefined)
    expect(E.isRight(dry) && dry.right.metadata.summary.bytesSent).to.be.greaterThan(40 * 1024 * 1024)
    expect(E.getOrElseW(() => undefined)(await store.stats()())).to.include({ packs: 0, snapshots: 0 })

    const excluded = await backup(repo, options({ excludes: ['*.bin', 'locked'] }))
    if (E.isLeft(excluded)) throw new Error(excluded.left._tag)
    const names: string[] = []
    for await (const l of listSnapshot(repo, excluded.right.record!))
      names.push(Buffer.from(l.path).toString())
    expect(names.filter((n) => n.endsWith('.bin') || n.includes('locked'))).to.deep.equal([])
    expect(names).to.include('tree/docs/readme.txt')

    const small = await repositoryOver(inMemorySnapshotStore({ quotaBytes: 1024 * 1024 }))
    expect(await backup(small, options())).to.deep.equal(E.left({ _tag: 'QuotaExceeded' }))
  })

  it('skips special files (a FIFO) and counts them, and reports a missing PATH as a local failure', async () => {
    const dir = join(root, 'special')
    execFileSync('mkdir', ['-p', dir])
    execFileSync('mkfifo', [join(dir, 'pipe')])
    await writeFile(join(dir, 'plain.txt'), 'x')
    const repo = await repositoryOver(inMemorySnapshotStore())
    const result = await backup(repo, options({ paths: [dir] }))
    expect(E.isRight(result) && result.right.metadata.summary).to.include({ skipped: 1, totalFiles: 1 })
    const missing = await backup(repo, options({ paths: [join(root, 'does-not-exist')] }))
    expect(E.isLeft(missing) && missing.left).to.include({ _tag: 'FsFailure', op: 'lstat', code: 'ENOENT' })
  })

  it('keeps one repository key per account: a racing device adopts the stored one, rotation re-wraps it', async () => {
    const store = inMemorySnapshotStore()
    const winner = await repositoryOver(store)
    let calls = 0
    const racing: SnapshotStore = {
      ...store,
      getKey: () => (calls++ === 0 ? TE.right(O.none) : store.getKey()),
    }
    const loser = await repositoryOver(racing)
    const sample = Buffer.from('same content')
    expect(await computeObjectId(loser.keys, 'data', sample)).to.equal(
      await computeObjectId(winner.keys, 'data', sample),
    )

    const newBkk = asKey<'Bkk'>(new Uint8Array(32).fill(9)) as Bkk
    const wrapped = O.toUndefined(E.getOrElseW(() => O.none)(await store.getKey()()))!
    const rewrapped = await rewrapRepositoryKey(aBkk, newBkk, wrapped)
    if (E.isLeft(rewrapped)) throw new Error('rewrap')
    const rotated = inMemorySnapshotStore()
    await rotated.putKey(rewrapped.right)()
    const after = await repositoryOver(rotated, newBkk)
    expect(await computeObjectId(after.keys, 'data', sample)).to.equal(
      await computeObjectId(winner.keys, 'data', sample),
    )
    expect(await openRepository(rotated, aBkk)).to.deep.equal(E.left({ _tag: 'SnapshotKeyUnreadable' }))
  })
})
