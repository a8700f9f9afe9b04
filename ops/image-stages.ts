/**
 * Runs the Dockerfile without a Docker engine (none runs on these machines) and checks the image boots:
 * ops/dockerfile-replay.ts builds every stage in folders, then the last stage's CMD starts as the image's
 * `node` user (uid 1000) with the image's ENV plus the runtime configuration (a fresh database on
 * TEST_DATABASE_URL's server, a throwaway redis-server, generated secrets, MIGRATE_ON_START=true); the
 * HEALTHCHECK command itself must pass, GET /api/health answer 200, and SIGTERM end it with exit code 0.
 * Usage: TEST_DATABASE_URL=postgres://… npx tsx ops/image-stages.ts
 * IMAGE_STAGES_APPEND="path:line" appends a line to one context file (the test's negative case);
 * IMAGE_STAGES_KEEP=1 keeps the temporary folder.
 */
import * as opaque from '@serenity-kit/opaque'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildContext, type Image, inStage, log, NODE_UID, replayStages } from './dockerfile-replay'

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
