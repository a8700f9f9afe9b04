/**
 * Fault: the process writing a blob into the fs store is killed with SIGKILL half way (a real child process,
 * `kill -9`). Expected: no visible blob, not even a partial one (the bytes are only in a temporary file), and
 * the next garbage collection removes that leftover.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { collectGarbageBlobs } from '../../../application/maintenance/collect-garbage-blobs'
import { defaultSettings } from '../../../application/settings'
import { fsBlobStore } from '../../../adapters/blobs/fs/fs-blob-store'
import { blobFile } from '../../../adapters/blobs/fs/fs-layout'
import { inMemoryBackupRepository } from '../../../adapters/in-memory/in-memory-backup-repository'
import { right } from '../../contracts/harness'
import { aBlobId, anAccountId } from '../../support/persistence-builders'
import { filesUnder } from './small-filesystem'

const root = path.resolve(__dirname, '../../..')
const MiB = 1024 * 1024

describe('Fault: SIGKILL while the fs store writes a blob', function () {
  this.timeout(60_000)
  let folder: string
  before(async () => (folder = await mkdtemp(path.join(tmpdir(), 'zkeb-fs-sigkill-'))))
  after(() => rm(folder, { recursive: true, force: true }))

  it('leaves no visible blob, only a temporary file, which the next collection removes', async () => {
    const [accountId, blobId] = [anAccountId(), aBlobId()]
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/adapters/blobs/workers/write-forever.ts', folder, accountId, blobId],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('writing') && resolve())
      child.once('exit', () => reject(new Error('the writer exited before writing')))
    })
    const [temporary] = await filesUnder(folder)
    for (const at = Date.now(); (await stat(path.join(folder, temporary!))).size < 16 * MiB;) {
      if (Date.now() - at > 20_000) throw new Error('the writer never reached 16 MiB')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    child.kill('SIGKILL')
    expect(await exited).to.deep.equal({ code: null, signal: 'SIGKILL' })

    const blobs = fsBlobStore(folder)
    expect(path.basename(temporary!)).to.match(new RegExp(`^\\.${blobId}\\.[0-9a-f]+\\.tmp$`))
    expect(await filesUnder(folder)).to.deep.equal([temporary])
    const visible = await stat(blobFile(folder, accountId, blobId)).then(
      () => true,
      () => false,
    )
    expect(visible).to.equal(false)
    const read = (async () => {
      for await (const _ of blobs.read(accountId, blobId));
    })()
    await read.then(
      () => expect.fail('a killed write must not be readable'),
      () => undefined,
    )
    // What gc-blobs --grace-seconds 0 runs (the schedule waits out BLOB_GC_GRACE_SECONDS first).
    const collect = collectGarbageBlobs({
      backups: inMemoryBackupRepository(),
      blobs,
      clock: { now: () => new Date() },
      settings: defaultSettings,
    })
    expect(await right(collect({ graceSeconds: 0 }))).to.deep.equal({ unreferenced: 1, collected: 1 })
    expect(await filesUnder(folder)).to.deep.equal([])
    expect(await right(blobs.listOlderThan(new Date(Date.now() + 60_000), O.none, 10))).to.deep.equal([])
  })
})
