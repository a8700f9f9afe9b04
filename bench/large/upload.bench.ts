/**
 * `npm run bench:upload`: one-shot uploads and a download (server in production mode on a fresh database),
 * per blob store (BENCH_BLOB_STORES, default `fs,postgres`), each against local file work in the same run:
 * - BENCH_SMALL_COUNT (default 32) uploads of 1 MiB against as many 1 MiB files written and fsynced;
 * - one upload of BENCH_UPLOAD_MIB (default 100) against one such file written and fsynced;
 * - the download of that object against the same fsynced write (bench/RESULTS.md's baseline for downloads;
 *   reading the file back, from the page cache, is printed beside it);
 * - the server's peak RSS growth over all of it.
 * Targets (bench/RESULTS.md): 1 MiB uploads and the download at ≥ 60% of the local throughput (time ratio
 * ≤ 1.67), RSS growth < 64 MiB. BENCH_DISK_DIR is where the local files go (default the system temp folder).
 * The client's hashing and signing happen before each clock starts: only transfers and the server's work are
 * timed, as only the local writes, fsyncs and reads are.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aOneShotUploader, type OneShotUploader } from '../../test/support/one-shot-upload'
import { largeBody, meterMemory, mib, sha256Of, streamedRequest } from '../../test/support/server-memory'
import { type BenchBlobStore, benchBlobStores, startProductionServer } from './production-server'
import { report, seconds } from './report'

const MiB = 1024 * 1024
const largeMiB = Number(process.env['BENCH_UPLOAD_MIB'] ?? 100)
const smallCount = Number(process.env['BENCH_SMALL_COUNT'] ?? 32)
/** 60% of the local throughput, as a time ratio. */
const throughputTarget = 1.67

const writeFsynced = (path: string, totalMiB: number): void => {
  const fd = openSync(path, 'w')
  try {
    for (const chunk of largeBody(totalMiB)) writeSync(fd, chunk)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

const timed = (work: () => void): number => {
  const start = process.hrtime.bigint()
  work()
  return seconds(start)
}

const readBack = (path: string): void => {
  const fd = openSync(path, 'r')
  const buffer = Buffer.allocUnsafe(MiB)
  try {
    while (readSync(fd, buffer) > 0);
  } finally {
    closeSync(fd)
  }
}

type Local = Readonly<{ smallWrites: number; largeWrite: number; largeRead: number }>

const localBaseline = (dir: string): Local => {
  const smallWrites = timed(() => {
    for (let i = 0; i < smallCount; i++) writeFsynced(join(dir, `small-${i}.bin`), 1)
  })
  const large = join(dir, 'large.bin')
  const largeWrite = timed(() => writeFsynced(large, largeMiB))
  const largeRead = timed(() => readBack(large))
  rmSync(large)
  return { smallWrites, largeWrite, largeRead }
}

/** Uploads `totalMiB`; returns the backup id and the seconds from the first byte sent to the answer. */
const timedUpload = async (base: string, uploader: OneShotUploader, totalMiB: number) => {
  const { backupId, headers } = await uploader.headersFor({
    sha256: sha256Of(largeBody(totalMiB)),
    sizeBytes: totalMiB * MiB,
  })
  const start = process.hrtime.bigint()
  const answer = await streamedRequest(`${base}/api/v1/backups/${backupId}/content`, {
    method: 'PUT',
    headers: { ...headers, Authorization: uploader.authorization() },
    body: largeBody(totalMiB),
  })
  const elapsed = seconds(start)
  if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${answer.text}`)
  return { backupId, elapsed }
}

const run = async (store: BenchBlobStore, local: Local, dir: string): Promise<void> => {
  const server = await startProductionServer(store)
  try {
    const uploader = await aOneShotUploader(server.base)
    const memory = meterMemory(server.pid)
    let small = 0
    for (let i = 0; i < smallCount; i++) small += (await timedUpload(server.base, uploader, 1)).elapsed
    const large = await timedUpload(server.base, uploader, largeMiB)
    const start = process.hrtime.bigint()
    const download = await streamedRequest(`${server.base}/api/v1/backups/${large.backupId}/content`, {
      method: 'GET',
      headers: { Authorization: uploader.authorization() },
    })
    const downloaded = seconds(start)
    if (download.status !== 200 || download.bytes !== largeMiB * MiB)
      throw new Error(`download answered ${download.status} with ${download.bytes} bytes`)
    const growth = memory.growthBytes()
    memory.stop()
    const rows = (name: string, zkeb: number, baseline: number, bytes: number) => ({
      rows: [
        { name: `${name}: local file`, seconds: baseline, bytes },
        { name: `${name}: ZKEB (${store})`, seconds: zkeb, bytes },
      ],
      ratio: zkeb / baseline,
    })
    const common = { 'peak RSS growth (target < 64 MiB)': `${mib(growth)} (${memory.method})`, dir }
    console.log(
      report({
        bench: `upload-1mib-${store}`,
        ...rows(`${smallCount} × 1 MiB write`, small, local.smallWrites, smallCount * MiB),
        target: throughputTarget,
        notes: common,
      }),
    )
    console.log(
      report({
        bench: `upload-${largeMiB}mib-${store}`,
        ...rows(`${largeMiB} MiB write`, large.elapsed, local.largeWrite, largeMiB * MiB),
        notes: common,
      }),
    )
    console.log(
      report({
        bench: `download-${largeMiB}mib-${store}`,
        ...rows(`${largeMiB} MiB download vs fsynced write`, downloaded, local.largeWrite, largeMiB * MiB),
        target: throughputTarget,
        notes: {
          ...common,
          'local read of the file (page cache)': `${((largeMiB * MiB) / local.largeRead / MiB).toFixed(0)} MiB/s`,
        },
      }),
    )
  } finally {
    await server.close()
  }
}

const main = async () => {
  const dir = mkdtempSync(join(process.env['BENCH_DISK_DIR'] ?? tmpdir(), 'zkeb-bench-upload-'))
  try {
    const local = localBaseline(dir)
    for (const store of benchBlobStores()) await run(store, local, dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
