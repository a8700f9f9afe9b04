/**
 * Replays the Dockerfile without a Docker engine (none runs on these machines) and checks the result boots:
 * 1. a build context from `git ls-files` (tracked and untracked, not git-ignored) minus .dockerignore;
 * 2. every stage in order, from the Dockerfile's own instructions: FROM (a fresh folder, or a hard-linked
 *    copy of an earlier stage), WORKDIR, ENV, COPY (also --from=stage) and RUN (`sh -c`, with the image's
 *    /app mapped into the stage's folder and the image's `node` user as uid/gid 1000, as in node images);
 * 3. the last stage's CMD started as that user with the image's ENV plus the runtime configuration
 *    (a fresh database on TEST_DATABASE_URL's server, a throwaway redis-server, generated secrets,
 *    MIGRATE_ON_START=true), the HEALTHCHECK command itself until it passes, GET /api/health = 200,
 *    then SIGTERM and exit code 0.
 * Any instruction it does not know fails the run, so a changed Dockerfile cannot silently go unreplayed.
 * Usage: TEST_DATABASE_URL=postgres://… npx tsx ops/image-stages.ts
 * IMAGE_STAGES_APPEND="path:line" appends a line to one context file (the test's negative case);
 * IMAGE_STAGES_KEEP=1 keeps the temporary folder.
 */
import * as opaque from '@serenity-kit/opaque'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { envPairs, execForm, parseDockerfile, splitFlags, stagesOf } from './dockerfile'

const root = path.resolve(__dirname, '..')
const NODE_UID = 1000 // the `node` user of the official node images
const log = (message: string) => process.stdout.write(`image-stages: ${message}\n`)

/** .dockerignore patterns, anchored at the context root; a match on a folder excludes what is inside. */
const ignoredBy = (patterns: string[]) => {
  const regexes = patterns.map((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exceptions are not replayed: ${pattern}`)
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*/g, '\0')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\0/g, '.*')
    return new RegExp(`^${body}(/.*)?$`)
  })
  return (file: string) => regexes.some((regex) => regex.test(file))
}

const buildContext = (dir: string) => {
  const patterns = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const ignored = ignoredBy(patterns)
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && !ignored(file) && existsSync(path.join(root, file)))
  for (const file of files) cpSync(path.join(root, file), path.join(dir, file))
  const append = process.env['IMAGE_STAGES_APPEND']
  if (append) {
    const [file, ...line] = append.split(':')
    appendFileSync(path.join(dir, file!), `\n${line.join(':')}\n`)
  }
  return files.length
}

type StageState = {
  dir: string
  workdir: string
  env: Record<string, string>
  user: string | null
  /** The stage's own npm cache (an image's /root/.npm): `npm cache clean` in a RUN must not empty this machine's. */
  npmCache: string
}
type Image = StageState & { cmd: string[]; healthcheck: string[] | null }

/** The image's absolute paths (all under the first WORKDIR's top folder, /app) inside the stage folder. */
const inStage = (state: StageState, text: string) =>
  text.replace(/(^|[\s=:'"])\/app\b/g, `$1${state.dir}/app`)

const run = (state: StageState, command: string) => {
  const uid =
    process.getuid?.() === 0 ? `${NODE_UID}:${NODE_UID}` : `${process.getuid?.()}:${process.getgid?.()}`
  const script = inStage(state, command).replace(/\bchown (-R )?node:node\b/g, `chown $1${uid}`)
  log(`RUN ${command}`)
  execFileSync('sh', ['-c', script], {
    cwd: path.join(state.dir, state.workdir),
    stdio: ['ignore', 'inherit', 'inherit'],
    // npm answers from its cache when it can; the packages and lockfile checks are the same.
    env: {
      ...process.env,
      ...state.env,
      npm_config_cache: state.npmCache,
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    },
  })
}

const copy = (state: StageState, args: string, context: string, stages: Map<string, StageState>) => {
  const { flags, rest } = splitFlags(args)
  const words = execForm(rest) ?? rest.split(/\s+/)
  const sources = words.slice(0, -1)
  const target = words.at(-1)!
  const from = flags['from'] === undefined ? null : stages.get(flags['from'])
  if (from === undefined) throw new Error(`COPY --from=${flags['from']}: no such stage`)
  const destination = path.join(
    state.dir,
    path.isAbsolute(target) ? target : path.join(state.workdir, target),
  )
  const intoFolder = target.endsWith('/') || sources.length > 1
  for (const source of sources) {
    const origin = from === null ? path.join(context, source) : path.join(from.dir, source)
    if (!existsSync(origin))
      throw new Error(`COPY ${source}: not in the ${from === null ? 'context' : 'stage'}`)
    cpSync(origin, intoFolder ? path.join(destination, path.basename(source)) : destination, {
      recursive: true,
    })
  }
}

const replayStages = (work: string, context: string): Image => {
  const stages = new Map<string, StageState>()
  let image: Image | null = null
  stagesOf(parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'))).forEach((stage, index) => {
    const base = stages.get(stage.from)
    const dir = path.join(work, `stage-${index}-${stage.name ?? 'unnamed'}`)
    log(`FROM ${stage.from}${stage.name ? ` AS ${stage.name}` : ''}`)
    if (base) execFileSync('cp', ['-al', base.dir, dir])
    else checkBaseImage(stage.from)
    mkdirSync(dir, { recursive: true })
    const fresh = {
      workdir: '/',
      env: {},
      user: null,
      cmd: [],
      healthcheck: null,
      npmCache: npmCacheFor(dir),
    }
    const state: Image = { dir, ...fresh, ...(base ?? {}) }
    state.dir = dir
    state.env = { ...state.env }
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'WORKDIR')
        mkdirSync(path.join(dir, (state.workdir = path.resolve(state.workdir, args))), { recursive: true })
      else if (keyword === 'ENV') for (const [key, value] of envPairs(args)) state.env[key] = value
      else if (keyword === 'COPY') copy(state, args, context, stages)
      else if (keyword === 'RUN') run(state, args)
      else if (keyword === 'USER') state.user = args
      else if (keyword === 'CMD') state.cmd = execForm(args) ?? ['sh', '-c', args]
      else if (keyword === 'HEALTHCHECK')
        state.healthcheck = execForm(splitFlags(args).rest.replace(/^CMD\s+/, ''))
      else if (keyword !== 'EXPOSE') throw new Error(`${keyword}: not replayed by ops/image-stages.ts`)
    }
    if (stage.name) stages.set(stage.name, state)
    image = state
  })
  if (image === null) throw new Error('the Dockerfile has no stage')
  return image
}

/**
 * A fresh image has its own npm cache; this one starts as a copy of this machine's: the index copied (npm
 * appends to it), the content hard-linked (content-addressed, written to new files and renamed, never
 * changed in place). So whatever a RUN does to it, `npm cache clean --force` included, stays in the copy.
 */
const npmCacheFor = (dir: string) => {
  const cache = path.join(`${dir}.npm-cache`, '_cacache')
  const machineCache = path.join(
    execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
    '_cacache',
  )
  mkdirSync(cache, { recursive: true })
  if (existsSync(path.join(machineCache, 'index-v5'))) {
    execFileSync('cp', ['-r', path.join(machineCache, 'index-v5'), path.join(cache, 'index-v5')])
  }
  if (existsSync(path.join(machineCache, 'content-v2'))) {
    execFileSync('cp', ['-al', path.join(machineCache, 'content-v2'), path.join(cache, 'content-v2')])
  }
  return path.dirname(cache)
}

/** The replay uses this machine's node; it must be the image's major version. */
const checkBaseImage = (from: string) => {
  const major = /^node:(\d+)/.exec(from)?.[1]
  if (major === undefined) throw new Error(`${from}: only node images are replayed`)
  if (process.versions.node.split('.')[0] !== major)
    throw new Error(`${from} runs node ${major}, this machine ${process.version}`)
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const startRedis = async (port: number) => {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  for (let i = 0; i < 50; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG')
      return redis
    await sleep(100)
  }
  redis.kill()
  throw new Error('the throwaway redis-server did not answer')
}

const bootImage = async (image: Image, work: string) => {
  const serverUrl = process.env['TEST_DATABASE_URL']
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is required (the database server the image connects to)')
  const database = `zkeb_image_${randomBytes(4).toString('hex')}`
  execFileSync('psql', [serverUrl, '-qc', `create database ${database}`])
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString()
  const [redisPort, port] = [await freePort(), await freePort()]
  const redis = await startRedis(redisPort)
  await opaque.ready
  const asRoot = process.getuid?.() === 0
  const user = asRoot && image.user === 'node' ? { uid: NODE_UID, gid: NODE_UID } : {}
  if (asRoot && image.user !== 'node') throw new Error(`the image runs as ${image.user ?? 'root'}, not node`)
  const env = {
    ...Object.fromEntries(Object.entries(image.env).map(([key, value]) => [key, inStage(image, value)])),
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: path.join(work, 'home'),
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    STORE: 'redis',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    OPAQUE_SERVER_SETUP: opaque.server.createSetup(),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
    MIGRATE_ON_START: 'true',
  }
  const cwd = path.join(image.dir, image.workdir)
  log(`CMD ${JSON.stringify(image.cmd)} on port ${port}, as ${image.user}`)
  const server = spawn(image.cmd[0]!, image.cmd.slice(1), {
    cwd,
    env,
    ...user,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)))
  let exitCode: number | null | undefined
  void exited.then((code) => (exitCode = code))
  try {
    if (image.healthcheck === null) throw new Error('the image has no exec-form HEALTHCHECK')
    let healthy = false
    for (let attempt = 0; attempt < 120 && !healthy && exitCode === undefined; attempt++) {
      const check = spawnSync(image.healthcheck[0]!, image.healthcheck.slice(1), {
        cwd,
        env,
        ...user,
        timeout: 5000,
      })
      healthy = check.status === 0
      if (!healthy) await sleep(500)
    }
    if (!healthy) throw new Error(`the HEALTHCHECK never passed (server exit code ${exitCode})`)
    log('HEALTHCHECK passed')
    const response = await fetch(`http://127.0.0.1:${port}/api/health`)
    if (response.status !== 200) throw new Error(`GET /api/health answered ${response.status}`)
    log('GET /api/health 200; sending SIGTERM')
    server.kill('SIGTERM')
    const code = await Promise.race([exited, sleep(35_000).then(() => 'timeout' as const)])
    if (code !== 0) throw new Error(`after SIGTERM the server exited with ${code}`)
    log('exited 0 after SIGTERM')
  } catch (error) {
    process.stderr.write(
      `image-stages: server output (last lines):\n${output.split('\n').slice(-30).join('\n')}\n`,
    )
    throw error
  } finally {
    if (exitCode === undefined) server.kill('SIGKILL')
    redis.kill()
    spawnSync('psql', [serverUrl, '-qc', `drop database if exists ${database} with (force)`])
  }
}

const main = async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'zkeb-image-'))
  chmodSync(work, 0o755) // the image's user (uid 1000) reads the production stage
  try {
    const context = path.join(work, 'context')
    log(`context: ${buildContext(context)} files`)
    const image = replayStages(work, context)
    mkdirSync(path.join(work, 'home'), { recursive: true })
    chmodSync(path.join(work, 'home'), 0o777)
    await bootImage(image, work)
    log('ok')
  } finally {
    if (process.env['IMAGE_STAGES_KEEP']) log(`kept ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`image-stages: FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
