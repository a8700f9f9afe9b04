/**
 * `npm run e2e:roundtrip [SIZE…]`: the whole-file round trip through the real CLI, by hand (1 GiB is too slow
 * for CI). Starts the server as `npm start` does (embedded PostgreSQL, a fresh DATA_DIR under the temp
 * folder), registers with the real `zkeb` executable (default key stretching, ZKEB_PASSWORD), then for each
 * size pushes a random file, pulls it back and compares it byte for byte (cmp, and SHA-256 on both sides).
 * Prints the wall time of each push and pull, the peak RSS of the server's Node process during each, and the
 * CLI's own peak RSS (GNU time). Sizes default to 0, 1, 1 MiB − 1, 1 MiB, 1 MiB + 1 and 1 GiB; the server
 * must not grow with the file size.
 */
import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { promisify } from 'node:util'
import { repositoryRoot, startServerProcess } from './support/server-process'

const MiB = 1024 * 1024
const defaultSizes = [0, 1, MiB - 1, MiB, MiB + 1, 1024 * MiB]

const sha256Of = async (file: string): Promise<string> => {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Writes `size` random bytes in 1 MiB pieces (never the whole file in memory). */
const writeRandomFile = async (file: string, size: number): Promise<void> => {
  const out = createWriteStream(file)
  for (let left = size; left > 0; left -= MiB)
    if (!out.write(randomBytes(Math.min(MiB, left)))) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

/** The pids of `root` and all its descendants (from /proc), with their command names. */
const processTree = async (root: number): Promise<ReadonlyArray<{ pid: number; comm: string }>> => {
  const all = await Promise.all(
    (await readdir('/proc'))
      .filter((d) => /^\d+$/.test(d))
      .map(async (d) => {
        const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '')
        const match = /^(\d+) \((.*)\) \S+ (\d+)/.exec(stat)
        return match === null ? undefined : { pid: Number(match[1]), comm: match[2]!, ppid: Number(match[3]) }
      }),
  )
  const procs = all.filter((p) => p !== undefined)
  const tree = new Set([root])
  for (let grew = true; grew;) {
    grew = false
    for (const p of procs)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid)
        grew = true
      }
  }
  return procs.filter((p) => tree.has(p.pid))
}

const rssKiB = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
}

/** Samples the RSS of the server's largest Node process (not PostgreSQL, not tsx's launcher) every 50 ms. */
const rssSampler = (root: number) => {
  let peak = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const nodes = (await processTree(root)).filter((p) => p.comm.startsWith('node') || p.comm === 'tsx')
      const total = Math.max(0, ...(await Promise.all(nodes.map((p) => rssKiB(p.pid)))))
      peak = Math.max(peak, total)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return async (): Promise<number> => {
    running = false
    await loop
    return peak
  }
}

/** Runs `work` while sampling; resolves to its result and the peak RSS (KiB), stopping the sampler either way. */
const sampled = async <A>(root: number, work: () => Promise<A>): Promise<[A, number]> => {
  const stop = rssSampler(root)
  try {
    const result = await work()
    return [result, await stop()]
  } catch (e) {
    await stop()
    throw e
  }
}

type CliResult = Readonly<{ stdout: string; seconds: number; maxRssKiB: number }>

const zkeb = async (
  env: NodeJS.ProcessEnv,
  args: ReadonlyArray<string>,
  timeFile: string,
): Promise<CliResult> => {
  const started = process.hrtime.bigint()
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%M', '-o', timeFile, process.execPath, path.join(repositoryRoot, 'client/cli/bin.js'), ...args],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let stdout = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (code !== 0) throw new Error(`zkeb ${args[0]} exited ${code}`)
  return { stdout, seconds, maxRssKiB: Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop()) }
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`

const main = async (): Promise<void> => {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : defaultSizes
  const work = await mkdtemp(path.join(os.tmpdir(), 'zkeb-roundtrip-'))
  await chmod(work, 0o711) // as root, the embedded PostgreSQL runs as `postgres` and must enter DATA_DIR
  const server = await startServerProcess(
    { DATA_DIR: path.join(work, 'data') },
    path.join(work, 'server.log'),
  )
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ZKEB_SERVER: server.base,
      ZKEB_CONFIG_DIR: path.join(work, 'config'),
      ZKEB_PASSWORD: `roundtrip-${randomBytes(9).toString('base64url')}`,
    }
    const timeFile = path.join(work, 'time')
    const registered = await zkeb(
      env,
      ['register', `rt-${randomBytes(4).toString('hex')}`, '--json'],
      timeFile,
    )
    console.log(`register: ${registered.seconds.toFixed(1)} s (CLI peak RSS ${mib(registered.maxRssKiB)})`)
    const idle = rssSampler(server.pid)
    await new Promise((r) => setTimeout(r, 500))
    console.log(`server idle RSS: ${mib(await idle())}`)
    console.log(
      'size (bytes) | push s | pull s | server peak RSS push / pull | CLI peak RSS push / pull | identical',
    )
    for (const size of sizes) {
      const source = path.join(work, `in-${size}`)
      const target = path.join(work, `out-${size}`)
      await writeRandomFile(source, size)
      const [pushed, pushPeak] = await sampled(server.pid, () =>
        zkeb(env, ['push', source, '--json'], timeFile),
      )
      const [{ backupId }] = JSON.parse(pushed.stdout) as [{ backupId: string }]
      const [pulled, pullPeak] = await sampled(server.pid, () =>
        zkeb(env, ['pull', backupId, '-o', target, '--json'], timeFile),
      )
      const cmp = await promisify(execFile)('cmp', [source, target]).then(
        () => true,
        () => false,
      )
      const same = cmp && (await sha256Of(source)) === (await sha256Of(target))
      console.log(
        [
          String(size).padStart(12),
          pushed.seconds.toFixed(1).padStart(6),
          pulled.seconds.toFixed(1).padStart(6),
          `${mib(pushPeak)} / ${mib(pullPeak)}`.padStart(27),
          `${mib(pushed.maxRssKiB)} / ${mib(pulled.maxRssKiB)}`.padStart(24),
          same ? 'yes' : 'NO',
        ].join(' | '),
      )
      if (!same) process.exitCode = 1
      await rm(source)
      await rm(target)
    }
  } finally {
    const code = await server.stop()
    if (code !== 0) console.log(`server exited ${code}: see ${path.join(work, 'server.log')}`)
    else if (process.env['KEEP'] === undefined) await rm(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
