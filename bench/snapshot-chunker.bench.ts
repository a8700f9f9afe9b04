/**
 * `npx tsx bench/snapshot-chunker.bench.ts [chunker|e2e|rss] [MiB]`: the snapshot engine's throughput (not a
 * timed test; numbers depend on the machine's load).
 *  - chunker (default 256 MiB): FastCDC with the protocol sizes over random bytes in memory, and the same bytes
 *    also through HMAC-SHA256 ids (the per-byte CPU a backup cannot avoid).
 *  - e2e (default 256 MiB): a generated tree on disk backed up to the in-memory store, then restored.
 *  - rss (default 1024 MiB): a backup of a generated tree to a store that keeps only the index (no bytes), and
 *    the process's peak RSS, which the archiver's bounded pipeline must keep under 256 MiB.
 */
import { createHmac } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { asKey } from '../client/crypto'
import {
  backup,
  chunksOf,
  generateRepositoryKey,
  inMemorySnapshotStore,
  makeCdc,
  objectsMissing,
  openRepository,
  parsePackHeader,
  restore,
  SNAPSHOT_CHUNKER,
  keyedGearTable,
  type ObjectId,
  type SnapshotStore,
} from '../client/snapshot'

const MiB = 1024 * 1024
const mode = process.argv[2] ?? 'chunker'
const sizeMiB = Number(process.argv[3] ?? (mode === 'rss' ? 1024 : 256))

/** Fast seeded bytes (xorshift32). */
const randomBytes = (length: number, seed: number): Uint8Array => {
  const out = new Uint8Array(length)
  const words = new Uint32Array(out.buffer, 0, length >>> 2)
  let x = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return out
}

const rate = (bytes: number, ms: number) => `${((bytes / MiB / ms) * 1000).toFixed(0)} MiB/s`

/** Wall time and this process's CPU time (the machine is shared: CPU time shows the cost, wall the speed). */
const timed = async <A>(f: () => Promise<A> | A): Promise<{ value: A; wallMs: number; cpuMs: number }> => {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const value = await f()
  const used = process.cpuUsage(cpu)
  return { value, wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000 }
}
const rates = (bytes: number, r: { wallMs: number; cpuMs: number }) =>
  `${rate(bytes, r.wallMs)} wall, ${rate(bytes, r.cpuMs)} per CPU-second`

const chunker = async () => {
  const cdc = makeCdc(await keyedGearTable(generateRepositoryKey()), SNAPSHOT_CHUNKER)
  const data = randomBytes(sizeMiB * MiB, 1)
  for (let round = 1; round <= 3; round++) {
    const cut = await timed(() => {
      let chunks = 0
      for (const _ of chunksOf(cdc, data)) chunks++
      return chunks
    })
    const ids = await timed(() => {
      for (const c of chunksOf(cdc, data)) createHmac('sha256', 'k').update(c).digest()
    })
    const mean = (data.length / cut.value / 1024).toFixed(0)
    console.log(`round ${round}: chunker ${rates(data.length, cut)} (${cut.value} chunks, mean ${mean} KiB)`)
    console.log(`         chunker + HMAC-SHA256 ${rates(data.length, ids)}`)
  }
}

/** A tree of `total` bytes: many small files, 1–4 MiB files, a few 32 MiB ones, and blocks repeated across files. */
const generateTree = async (root: string, total: number) => {
  const shared = randomBytes(512 * 1024, 99)
  let written = 0
  for (let i = 0; written < total; i++) {
    const dir = join(root, `d${i % 40}`, `sub${i % 7}`)
    await mkdir(dir, { recursive: true })
    const size = i % 50 === 0 ? 32 * MiB : i % 3 === 0 ? (1 + (i % 4)) * MiB : 4096 + (i % 13) * 1000
    const body = randomBytes(size, i + 1)
    if (i % 5 === 0 && size > shared.length * 2) body.set(shared, size >>> 1)
    await writeFile(join(dir, `f${i}.bin`), body)
    written += size
  }
  return written
}

/** Keeps the index of what arrived, never the bytes: a backup's memory without the store's. */
const discardingStore = (): SnapshotStore => {
  const base = inMemorySnapshotStore()
  const ids = new Set<ObjectId>()
  return {
    ...base,
    has: (wanted) => TE.right(new Set(wanted.filter((id) => ids.has(id)))),
    putPack: (pack) => {
      const entries = parsePackHeader(pack.bytes, pack.bytes.length)
      if (E.isRight(entries)) for (const e of entries.right) ids.add(e.id)
      return TE.right(undefined)
    },
    putSnapshot: (s) => {
      const missing = s.refs.filter((id) => !ids.has(id))
      return missing.length > 0 ? TE.left(objectsMissing(missing)) : base.putSnapshot({ ...s, refs: [] })
    },
  }
}

const endToEnd = async (keepBytes: boolean) => {
  const dir = await mkdtemp(join(tmpdir(), 'zkeb-snapbench-'))
  try {
    const bytes = await generateTree(join(dir, 'tree'), sizeMiB * MiB)
    const store = keepBytes ? inMemorySnapshotStore() : discardingStore()
    const repo = await openRepository(store, asKey<'Bkk'>(new Uint8Array(32).fill(3)))
    if (E.isLeft(repo)) throw new Error(repo.left._tag)
    const sign = () => Promise.resolve(new Uint8Array(64))
    const options = { paths: [join(dir, 'tree')], host: 'bench', deviceId: 'bench', sign }
    const first = await timed(() => backup(repo.right, options))
    if (E.isLeft(first.value)) throw new Error(first.value.left._tag)
    const result = first.value.right
    const s = result.metadata.summary
    const mib = (n: number) => (n / MiB).toFixed(0)
    console.log(
      `backup ${mib(bytes)} MiB, ${s.totalFiles} files: ${rates(bytes, first)}, sent ${mib(s.bytesSent)} MiB`,
    )
    if (keepBytes) {
      const second = await timed(() => backup(repo.right, options))
      if (E.isLeft(second.value)) throw new Error(second.value.left._tag)
      const sent = second.value.right.metadata.summary.bytesSent
      console.log(
        `second backup (unchanged): ${second.wallMs.toFixed(0)} ms wall, ${second.cpuMs.toFixed(0)} ms CPU, sent ${sent} bytes`,
      )
      const target = join(dir, 'restored')
      const restored = await timed(() => restore(repo.right, result.record!, { target }))
      if (E.isLeft(restored.value)) throw new Error(restored.value.left._tag)
      console.log(`restore: ${rates(restored.value.right.bytesWritten, restored)}`)
    }
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  if (mode === 'chunker') await chunker()
  else await endToEnd(mode === 'e2e')
}

void main()
