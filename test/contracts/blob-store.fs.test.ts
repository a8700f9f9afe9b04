import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fsBlobStore } from '../../adapters/blobs/fs/fs-blob-store'
import { blobStoreContract } from './blob-store.contract'

blobStoreContract('files in a folder', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'zkeb-fs-blobs-'))
  return {
    blobs: fsBlobStore(root),
    givenAccount: () => Promise.resolve(),
    reset: async () => {
      for (const name of await readdir(root))
        await rm(path.join(root, name), { recursive: true, force: true })
    },
    close: () => rm(root, { recursive: true, force: true }),
  }
})
