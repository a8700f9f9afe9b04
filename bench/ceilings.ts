/**
 * The ceilings each result is divided by, measured in the same run on the same machine:
 * - framework: a bare Koa process returning the same bytes (bare-koa.ts), driven like the server;
 * - database: pgbench running the server's own statements (bench/sql/*.sql) at the same concurrency, as the
 *   application role (row-level security applies), extended protocol like node-postgres;
 * - hashing and disk: sha256sum of the same bytes, and a plain write of them to a new file with fsync.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runProcess, waitFor } from '../ops/drill/processes'
import { sqlDir } from './sql-script'

export type BareKoa = Readonly<{ base: string; pid: number; stop: () => Promise<void> }>

export const startBareKoa = async (
  bodies: Record<string, { type: string; body: Buffer }>,
): Promise<BareKoa> => {
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-bench-koa-'))
  const file = join(dir, 'bodies.json')
  const json = Object.fromEntries(
    Object.entries(bodies).map(([k, v]) => [k, { type: v.type, base64: v.body.toString('base64') }]),
  )
  writeFileSync(file, JSON.stringify(json))
  const port = await freePort()
  const running = runProcess('bare-koa', port, process.execPath, ['--import', 'tsx', 'bench/bare-koa.ts'], {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    BARE_KOA_BODIES: file,
  })
  await waitFor('bare koa', 30_000, () => {
    if (running.child.exitCode !== null) throw new Error(`bare koa exited: ${running.output()}`)
    return Promise.resolve(running.output().includes('listening'))
  })
  return {
    base: `http://127.0.0.1:${port}`,
    pid: running.child.pid ?? 0,
    stop: async () => {
      running.child.kill('SIGTERM')
      await running.exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type PgbenchResult = Readonly<{ tps: number; latencyMs: number; failed: number }>

/** pgbench -M extended with the script bench/sql/<name>.sql, `-D` variables, `clients` for `seconds`. */
export const pgbench = (
  url: string,
  name: string,
  variables: Record<string, string>,
  clients: number,
  seconds: number,
): PgbenchResult => {
  const args = [
    ...['-n', '-M', 'extended', '-c', String(clients), '-j', '2', '-T', String(seconds)],
    ...Object.entries(variables).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    ...['-f', join(sqlDir, `${name}.sql`), url],
  ]
  const run = spawnSync('pgbench', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const out = `${run.stdout}\n${run.stderr}`
  const tps = /tps = ([\d.]+)/.exec(out)
  if (run.status !== 0 || tps === null) throw new Error(`pgbench ${name} failed:\n${out.slice(-2000)}`)
  return {
    tps: Number(tps[1]),
    latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN),
    failed: Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0),
  }
}

export type DiskCeiling = Readonly<{
  sizeBytes: number
  sha256BytesPerS: number
  writeBytesPerS: number
  filesPerS: number
}>

/**
 * sha256sum over `count` copies of `sizeBytes` random bytes, and the same bytes written as `count` new files, each
 * fsynced (an upload is durable when it answers). Rates in bytes per second.
 */
export const diskCeiling = (sizeBytes: number, count: number): DiskCeiling => {
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-bench-disk-'))
  try {
    const bytes = randomBytes(sizeBytes)
    const source = join(dir, 'source')
    writeFileSync(source, bytes)
    const files = Array.from({ length: count }, () => source)
    const hashStart = performance.now()
    execFileSync('sha256sum', files, { maxBuffer: 64 * 1024 * 1024 })
    const hashSeconds = (performance.now() - hashStart) / 1000
    const writeStart = performance.now()
    for (let i = 0; i < count; i++) {
      const fd = openSync(join(dir, `copy-${i}`), 'w')
      for (let at = 0; at < sizeBytes; at += 1024 * 1024)
        writeSync(fd, bytes, at, Math.min(1024 * 1024, sizeBytes - at))
      fsyncSync(fd)
      closeSync(fd)
    }
    const writeSeconds = (performance.now() - writeStart) / 1000
    return {
      sizeBytes,
      sha256BytesPerS: (sizeBytes * count) / hashSeconds,
      writeBytesPerS: (sizeBytes * count) / writeSeconds,
      filesPerS: count / writeSeconds,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
