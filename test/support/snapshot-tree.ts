/**
 * A deterministic folder tree for snapshot end-to-end tests and benchmarks: nested and empty folders, symlinks
 * (relative, to a folder, leading out with `..`, absolute, dangling), executable and private files, unicode and
 * space names, sizes from 0 bytes to tens of MiB, random content and runs of the same 1 MiB blocks inside
 * different files (what deduplication must find). Same seed and parameters, same tree, byte for byte, same
 * mtimes. It also returns what a zero-knowledge scan must never find on the server: every name, every symlink
 * target and samples of the content.
 */
import { createCipheriv } from 'node:crypto'
import { closeSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync, chmodSync } from 'node:fs'
import { join } from 'node:path'

const KiB = 1024
const MiB = 1024 * KiB

export type TreeSpec = Readonly<{ seed: number; files: number; bytes: number }>

export type GeneratedTree = Readonly<{
  files: number
  bytes: number
  dirs: number
  emptyDirs: number
  symlinks: number
  /** Relative paths of the regular files, in creation order, and their sizes. */
  filePaths: ReadonlyArray<string>
  sizes: ReadonlyArray<number>
  /** Every file, folder and symlink name and symlink target (all ≥ 8 bytes, unique to the seed). */
  names: ReadonlyArray<string>
  targets: ReadonlyArray<string>
  /** 48-byte pieces of file content (random, so unique to the data set). */
  contentSamples: ReadonlyArray<Buffer>
}>

/** xorshift32: cheap deterministic choices (sizes, names, shapes). */
const chooser = (seed: number) => {
  let x = seed >>> 0 || 0x9e3779b9
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x1_0000_0000
  }
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) }
}

/** AES-CTR key stream under a key made from the seed: random bytes at memory speed, the same every run. */
const keyStream = (seed: number, stream: number) => {
  const key = Buffer.alloc(16)
  key.writeUInt32BE(seed >>> 0, 0)
  key.writeUInt32BE(stream >>> 0, 4)
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  return (length: number): Buffer => cipher.update(Buffer.alloc(length))
}

const nameParts = [
  'Dossier',
  'naïve café',
  'Ünïcödé ✓',
  'with space',
  '日本語 フォルダ',
  'plain',
  'Ωμέγα',
  'x y z',
]

/** The file sizes: ~5 % large (1 MiB to tens of MiB) holding ~90 % of the bytes, the rest small (0 to 64 KiB). */
const sizesOf = (spec: TreeSpec, pick: ReturnType<typeof chooser>): number[] => {
  const large = Math.max(1, Math.min(Math.ceil(spec.files / 20), Math.floor((spec.bytes * 0.9) / (4 * MiB))))
  const small = spec.files - large
  const smallBudget = Math.min(spec.bytes * 0.1, small * 32 * KiB)
  const smallSizes = Array.from({ length: small }, (_, i) =>
    i % 25 === 0 ? 0 : pick.int(1, Math.max(1, Math.floor((2 * smallBudget) / Math.max(1, small)))),
  )
  const largeBudget = spec.bytes - smallSizes.reduce((a, b) => a + b, 0)
  // One file of tens of MiB when the budget allows; the others skewed (a few big, many near 1 MiB).
  const biggest = large > 1 ? Math.min(40 * MiB, Math.floor(largeBudget * 0.3)) : largeBudget
  const weights = Array.from({ length: large - 1 }, () => 0.1 + 10 * pick.next() ** 3)
  const sum = weights.reduce((a, b) => a + b, 0)
  const largeSizes = [biggest, ...weights.map((w) => Math.floor(((largeBudget - biggest) * w) / sum))]
  largeSizes[0]! += largeBudget - largeSizes.reduce((a, b) => a + b, 0)
  const sizes = [...smallSizes]
  largeSizes.forEach((size, i) => sizes.splice(Math.floor((i * sizes.length) / large), 0, size))
  return sizes
}

/** Writes `size` bytes: random, with runs of 2–4 shared 1 MiB blocks in files of 6 MiB and more. */
const writeContent = (
  path: string,
  size: number,
  random: (n: number) => Buffer,
  shared: ReadonlyArray<Buffer>,
  pick: ReturnType<typeof chooser>,
  samples: Buffer[],
) => {
  const fd = openSync(path, 'w')
  try {
    let written = 0
    while (written < size) {
      const useShared = size >= 6 * MiB && pick.next() < 0.3
      if (useShared) {
        const first = pick.int(0, shared.length - 4)
        for (let b = first; b < first + pick.int(2, 4) && written < size; b++) {
          const block = shared[b]!.subarray(0, size - written)
          writeSync(fd, block)
          written += block.length
        }
      } else {
        const piece = random(Math.min(size - written, pick.int(MiB / 2, 2 * MiB)))
        if (piece.length >= 64 && samples.length < 64 && pick.next() < 0.5)
          samples.push(piece.subarray(8, 56))
        writeSync(fd, piece)
        written += piece.length
      }
    }
  } finally {
    closeSync(fd)
  }
}

/** Generates the tree under `root` (created; must not exist or be empty). */
export const generateSnapshotTree = (root: string, spec: TreeSpec): GeneratedTree => {
  const pick = chooser(spec.seed)
  const random = keyStream(spec.seed, 1)
  const shared = Array.from({ length: 8 }, (_, i) => keyStream(spec.seed, 100 + i)(MiB))
  const tag = `s${spec.seed.toString(36)}`
  const names: string[] = []
  const targets: string[] = []
  const samples: Buffer[] = []
  const nameOf = (kind: string, i: number) => {
    const name = `${nameParts[i % nameParts.length]} ${kind}${i} ${tag}`
    names.push(name)
    return name
  }
  mkdirSync(root, { recursive: true })
  const dirCount = Math.max(4, Math.ceil(spec.files / 40))
  const dirs: string[] = ['']
  for (let i = 0; i < dirCount; i++) {
    const parent = dirs[pick.int(Math.max(0, dirs.length - 6), dirs.length - 1)]!
    const dir = join(parent, nameOf('dir', i))
    mkdirSync(join(root, dir))
    dirs.push(dir)
  }
  const emptyDirs = Math.max(2, Math.ceil(dirCount / 10))
  for (let i = 0; i < emptyDirs; i++)
    mkdirSync(join(root, dirs[pick.int(0, dirs.length - 1)]!, nameOf('empty', i)))
  const filePaths: string[] = []
  const sizes = sizesOf(spec, pick)
  sizes.forEach((size, i) => {
    const rel = join(dirs[pick.int(0, dirs.length - 1)]!, `${nameOf('file', i)}.bin`)
    writeContent(join(root, rel), size, random, shared, pick, samples)
    if (i % 20 === 3) chmodSync(join(root, rel), 0o755)
    else if (i % 20 === 7) chmodSync(join(root, rel), 0o600)
    utimesSync(join(root, rel), 1_600_000_000 + i * 3.25 + 0.123456, 1_600_000_000 + i * 7 + 0.654321)
    filePaths.push(rel)
  })
  const symlinkCount = Math.max(5, Math.ceil(spec.files / 100))
  for (let i = 0; i < symlinkCount; i++) {
    const dir = dirs[pick.int(0, dirs.length - 1)]!
    const target = [
      `${filePaths[pick.int(0, filePaths.length - 1)]}`,
      `../missing target ${i} ${tag}`,
      `/nonexistent/absolute ${i} ${tag}`,
      `./${nameParts[i % nameParts.length]} dangling ${i} ${tag}`,
      dirs[pick.int(1, dirs.length - 1)]!,
    ][i % 5]!
    targets.push(target)
    symlinkSync(target, join(root, dir, nameOf('link', i)))
  }
  for (const dir of [...dirs].reverse()) utimesSync(join(root, dir), 1_650_000_000.5, 1_650_000_000.25)
  return {
    files: sizes.length,
    bytes: sizes.reduce((a, b) => a + b, 0),
    dirs: dirs.length - 1 + emptyDirs,
    emptyDirs,
    symlinks: symlinkCount,
    filePaths,
    sizes,
    names,
    targets,
    contentSamples: samples,
  }
}
