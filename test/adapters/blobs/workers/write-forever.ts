/**
 * A process that writes one endless blob into an fs blob store (argv: folder, account id, blob id), 1 MiB at
 * a time, and says `writing` once the first MiB is on its way: the test kills it with SIGKILL mid-write.
 */
import { randomBytes } from 'node:crypto'
import { fsBlobStore } from '../../../../adapters/blobs/fs/fs-blob-store'
import type { AccountId, BlobId } from '../../../../domain/ids'

const [root, accountId, blobId] = process.argv.slice(2)
const piece = randomBytes(1024 * 1024)

async function* endless(): AsyncGenerator<Uint8Array> {
  for (let sent = 0; ; sent++) {
    if (sent === 1) process.stdout.write('writing\n')
    yield Buffer.from(piece)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

void fsBlobStore(root!).write(accountId as AccountId, blobId as BlobId, endless())()
