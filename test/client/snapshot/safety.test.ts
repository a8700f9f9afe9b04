import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  backup,
  encodeCreateSnapshotBody,
  inMemorySnapshotStore,
  restore,
  type SnapshotStore,
} from '../../../client/snapshot'
import { aSigner, removeDir, repositoryOver, tempDir } from './snapshot-kit'

describe('snapshot safety', function () {
  this.timeout(60_000)
  let root: string
  before(async () => {
    root = await tempDir('safety')
  })
  after(() => removeDir(root))

  it('sends no name, symlink target, host, path or content the server could read (raw, hex or base64)', async () => {
    const source = join(root, 'zk-source')
    await mkdir(join(source, 'folder-name-marker'), { recursive: true })
    await writeFile(
      join(source, 'folder-name-marker', 'file-name-marker.txt'),
      'content-marker-0123456789abcdef\n'.repeat(40),
    )
    await symlink('/symlink-target-marker', join(source, 'link'))
    const sent: Uint8Array[] = []
    const store = inMemorySnapshotStore()
    const recording: SnapshotStore = {
      ...store,
      putSnapshot: (s) => {
        sent.push(encodeCreateSnapshotBody(s))
        return store.putSnapshot(s)
      },
      putKey: (wrapped) => {
        sent.push(wrapped)
        return store.putKey(wrapped)
      },
    }
    const captured: SnapshotStore = {
      ...recording,
      putPack: (pack) => (sent.push(pack.bytes), store.putPack(pack)),
    }
    const signer = await aSigner()
    const result = await backup(await repositoryOver(captured), {
      paths: [source],
      host: 'host-name-marker',
      tags: ['tag-marker'],
      deviceId: signer.deviceId,
      sign: signer.sign,
    })
    expect(E.isRight(result)).to.equal(true)
    const everything = Buffer.concat(sent)
    for (const secret of [
      'folder-name-marker',
      'file-name-marker',
      'content-marker-0123456789',
      'symlink-target-marker',
      'host-name-marker',
      'tag-marker',
      'zk-source',
    ]) {
      const b = Buffer.from(secret)
      for (const form of [
        b,
        Buffer.from(b.toString('hex')),
        Buffer.from(b.toString('base64').slice(0, 16)),
        Buffer.from(b.toString('base64url').slice(0, 16)),
      ])
        expect(everything.includes(form), `${secret} as ${form.toString()}`).to.equal(false)
    }
  })

  it('never writes through a symlink left in the target where a restored file goes', async () => {
    const source = join(root, 'plain')
    await mkdir(source)
    await writeFile(join(source, 'victim.txt'), 'restored content\n')
    const store = inMemorySnapshotStore()
    const repo = await repositoryOver(store)
    const signer = await aSigner()
    const done = await backup(repo, {
      paths: [source],
      host: 'h',
      deviceId: signer.deviceId,
      sign: signer.sign,
    })
    if (E.isLeft(done)) throw new Error(done.left._tag)
    const outside = join(root, 'outside.txt')
    await writeFile(outside, 'must stay\n')
    const target = join(root, 'target')
    await mkdir(join(target, 'plain'), { recursive: true })
    await symlink(outside, join(target, 'plain', 'victim.txt'))
    expect(E.isRight(await restore(repo, done.right.record!, { target }))).to.equal(true)
    expect(await readFile(outside, 'utf8')).to.equal('must stay\n')
    expect(await readFile(join(target, 'plain', 'victim.txt'), 'utf8')).to.equal('restored content\n')
  })
})
