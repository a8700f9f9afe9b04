/**
 * `tsx ops/test-shards.ts --shard K/N [--tier unit|integration]`: prints the spec files of shard K of N, one per
 * line, for CI's parallel test jobs (mocha cannot shard). Deterministic: files are sorted, then dealt largest
 * first to the lightest shard (size in bytes stands in for run time), so every file lands in exactly one
 * shard and the same tree always gives the same split.
 *
 * Tiers: `integration` is what needs PostgreSQL, Redis or a server process (knex/redis/cached contract suites,
 * the Redis Cluster suite, persistence, cache and composition adapters, test/integration, the image replay); `unit` is everything else.
 */
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

export type Tier = 'unit' | 'integration' | 'all'

const integrationPattern =
  /(\.(knex|redis|cached)\.test\.ts$)|(^test\/contracts\/redis-cluster\.test\.ts$)|(^test\/adapters\/(persistence|cache|composition)\/)|(^test\/integration\/)|(^test\/ops\/image-stages\.test\.ts$)/

export const tierOf = (file: string): Exclude<Tier, 'all'> =>
  integrationPattern.test(file) ? 'integration' : 'unit'

/** Every `*.test.ts` under `dir`, as sorted POSIX paths relative to `root`. */
export const specFiles = (root: string, dir = 'test'): string[] => {
  const found: string[] = []
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`
      if (entry.isDirectory()) walk(child)
      else if (entry.name.endsWith('.test.ts')) found.push(child)
    }
  }
  walk(dir)
  return found.sort()
}

/** Deals `files` (with their weights) into `count` shards, heaviest first onto the lightest shard. */
export const shard = (files: ReadonlyArray<{ file: string; weight: number }>, count: number): string[][] => {
  const shards = Array.from({ length: count }, () => ({ weight: 0, files: [] as string[] }))
  const ordered = [...files].sort((a, b) => b.weight - a.weight || a.file.localeCompare(b.file))
  for (const { file, weight } of ordered) {
    const lightest = shards.reduce((best, s) => (s.weight < best.weight ? s : best))
    lightest.files.push(file)
    lightest.weight += weight
  }
  return shards.map((s) => s.files.sort())
}

const parseArgs = (argv: ReadonlyArray<string>): { index: number; count: number; tier: Tier } => {
  const value = (flag: string) => argv[argv.indexOf(flag) + 1]
  const match = /^(\d+)\/(\d+)$/.exec(argv.includes('--shard') ? (value('--shard') ?? '') : '1/1')
  const tier = (argv.includes('--tier') ? value('--tier') : 'all') as Tier
  if (match === null || !['unit', 'integration', 'all'].includes(tier))
    throw new Error('usage: test-shards --shard K/N [--tier unit|integration|all]')
  const [index, count] = [Number(match[1]), Number(match[2])]
  if (index < 1 || index > count) throw new Error(`shard ${index} is not within 1..${count}`)
  return { index, count, tier }
}

if (require.main === module) {
  const { index, count, tier } = parseArgs(process.argv.slice(2))
  const root = path.resolve(__dirname, '..')
  const files = specFiles(root)
    .filter((file) => tier === 'all' || tierOf(file) === tier)
    .map((file) => ({ file, weight: statSync(path.join(root, file)).size }))
  process.stdout.write(`${(shard(files, count)[index - 1] ?? []).join('\n')}\n`)
}
