/**
 * `npm run bench:upload`: one-shot upload (PUT /api/v1/backups/{id}/content, server in production mode on a
 * fresh database) of a large object against writing the same bytes to a local file and fsyncing it, in the
 * same run. BENCH_UPLOAD_MIB sizes the object (default 1024); BENCH_DISK_DIR is where the local file goes
 * (default the system temp folder; put it on the disk PostgreSQL writes to for a fair comparison).
 * The client's hashing and signing happen before the clock starts: only the transfer and the server's work
 * (hashing, chunking into PostgreSQL, committing) are timed, as only the local write and its fsync are.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aOneShotUploader } from '../../test/support/one-shot-upload'
import { largeBody, sha256Of, streamedRequest } from '../../test/support/server-memory'
import { startProductionServer } from './production-server'
import { report, seconds } from './report'

const MiB = 1024 * 1024
const totalMiB = Number(process.env['BENCH_UPLOAD_MIB'] ?? 1024)

const timedLocalWrite = (dir: string): number => {
  const path = join(dir, 'object.bin')
  const start = process.hrtime.bigint()
  const fd = openSync(path, 'w')
  try {
    for (const chunk of largeBody(totalMiB)) writeSync(fd, chunk)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  const elapsed = seconds(start)
  rmSync(path)
  return elapsed
}

const main = async () => {
  const dir = mkdtempSync(join(process.env['BENCH_DISK_DIR'] ?? tmpdir(), 'zkeb-bench-upload-'))
  const server = await startProductionServer()
  try {
    const uploader = await aOneShotUploader(server.base)
    const bytes = totalMiB * MiB
    const local = timedLocalWrite(dir)
    const { backupId, headers } = await uploader.headersFor({
      sha256: sha256Of(largeBody(totalMiB)),
      sizeBytes: bytes,
    })
    const start = process.hrtime.bigint()
    const answer = await streamedRequest(`${server.base}/api/v1/backups/${backupId}/content`, {
      method: 'PUT',
      headers: { ...headers, Authorization: uploader.authorization() },
      body: largeBody(totalMiB),
    })
    const upload = seconds(start)
    if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${answer.text}`)
    console.log(
      report({
        bench: 'one-shot-upload',
        rows: [
          { name: 'write + fsync to a local file', seconds: local, bytes },
          { name: 'one-shot upload to ZKEB', seconds: upload, bytes },
        ],
        ratio: upload / local,
        notes: { object: `${totalMiB} MiB`, 'local file in': dir },
      }),
    )
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
