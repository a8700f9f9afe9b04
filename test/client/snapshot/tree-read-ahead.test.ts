/** Walks read a folder's sub-folder trees in one request, not one request per folder. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { backup, inMemorySnapshotStore, listSnapshot, openRepository } from '../../../client/snapshot'
import { aBkk, aSigner, removeDir, repositoryOver, tempDir } from './snapshot-kit'

describe('tree read-ahead', () => {
  it('lists 30 folders of a snapshot in a few reads, and a backup against it reads its parent the same way', async () => {
    const dir = await tempDir('read-ahead')
    try {
      const root = join(dir, 'root')
      for (let i = 0; i < 30; i++) {
        await mkdir(join(root, `d${i}`, 'inner'), { recursive: true })
        await writeFile(join(root, `d${i}`, 'inner', 'f.txt'), `file ${i}\n`)
      }
      const store = inMemorySnapshotStore()
      const signer = await aSigner()
      const options = { paths: [root], host: 'h', deviceId: signer.deviceId, sign: signer.sign }
      const first = await backup(await repositoryOver(store), options)
      if (E.isLeft(first)) throw new Error(first.left._tag)
      const repo = await openRepository(store, aBkk)
      if (E.isLeft(repo)) throw new Error(repo.left._tag)
      const before = store.counters.readCalls
      let entries = 0
      for await (const _ of listSnapshot(repo.right, first.right.record!)) entries++
      expect(entries).to.equal(1 + 30 * 3)
      expect(store.counters.readCalls - before).to.be.at.most(4) // root, its folders, theirs, theirs
      const again = store.counters.readCalls
      const second = await backup(repo.right, options)
      if (E.isLeft(second)) throw new Error(second.left._tag)
      expect(second.right.metadata.summary.filesUnchanged).to.equal(30)
      expect(store.counters.readCalls - again).to.be.at.most(4)
    } finally {
      await removeDir(dir)
    }
  })
})
