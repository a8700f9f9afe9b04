/**
 * The drill's real processes: a throwaway redis-server, ZKEB instances (the compiled server, as the image runs
 * it) and helpers to find free loopback ports and wait for health. Everything listens on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, createServer } from 'node:net'
import path from 'node:path'

export const root = path.resolve(__dirname, '../..')
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      )
    })
  })

export type Running = Readonly<{
  name: string
  port: number
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}>

export const runProcess = (
  name: string,
  port: number,
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Running => {
  const child = spawn(command, args, {
    cwd: root,
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { name, port, child, output: () => text, exited }
}

/** A Redis that keeps nothing on disk: sessions shared by blue and green, gone with the drill. */
export const startRedis = async (dir: string): Promise<Running> => {
  const port = await freePort()
  const redis = runProcess('redis', port, 'redis-server', [
    ...['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
  ])
  await waitFor(
    `redis on ${port}`,
    10_000,
    async () => (await tcpAnswers(port)) || redis.child.exitCode !== null,
  )
  if (redis.child.exitCode !== null) throw new Error(`redis-server exited:\n${redis.output()}`)
  return redis
}

const tcpAnswers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })

/** One ZKEB instance: `node dist/adapters/composition/main.js`, the image's CMD. */
export const startInstance = (name: string, port: number, env: NodeJS.ProcessEnv, dataDir: string): Running =>
  runProcess(name, port, process.execPath, ['dist/adapters/composition/main.js'], {
    ...env,
    PORT: String(port),
    DATA_DIR: path.join(dataDir, name),
  })

export const waitFor = async (
  what: string,
  timeoutMs: number,
  done: () => Promise<boolean>,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

export const healthStatus = (port: number): Promise<number> =>
  fetch(`http://127.0.0.1:${port}/api/health`).then(
    (r) => r.status,
    () => 0,
  )

/** Resolves once the instance's /api/health is 200; fails early if it exits. */
export const untilHealthy = (instance: Running, timeoutMs = 60_000): Promise<void> =>
  waitFor(`${instance.name} healthy on ${instance.port}`, timeoutMs, async () => {
    if (instance.child.exitCode !== null) throw new Error(`${instance.name} exited:\n${instance.output()}`)
    return (await healthStatus(instance.port)) === 200
  })
