/**
 * The real ZKEB server as a separate process (`tsx adapters/composition/main.ts`, what `npm start` runs), its
 * stdout and stderr appended to a log file that the zero-knowledge scan reads afterwards. Shared by the scan test
 * and the round-trip script, so both exercise exactly the process a user starts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const repositoryRoot = path.resolve(__dirname, '../../..')

export type ServerProcess = Readonly<{
  base: string
  port: number
  pid: number
  logFile: string
  /** SIGTERM, then waits for exit; resolves to the exit code (SIGKILL after `graceMs`). */
  stop: (graceMs?: number) => Promise<number | null>
}>

const listeningPort = (log: string): number | undefined => {
  const port = /"port":(\d+),"msg":"ZKEB listening/.exec(log)?.[1]
  return port === undefined ? undefined : Number(port)
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)))

/**
 * Starts the server with `env` on top of this process's environment (DATABASE_URL removed unless given) and
 * resolves once it logs the port it listens on; rejects with the log if it exits or takes over `timeoutMs`.
 */
export const startServerProcess = async (
  env: Readonly<Record<string, string>>,
  logFile: string,
  timeoutMs = 90_000,
): Promise<ServerProcess> => {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1' }
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'STORE', 'REDIS_URL', 'LOG_LEVEL'])
    delete fullEnv[name]
  Object.assign(fullEnv, env)
  const fd = openSync(logFile, 'a', 0o600)
  const child = spawn(
    path.join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
    ['adapters/composition/main.ts'],
    {
      cwd: repositoryRoot,
      env: fullEnv,
      stdio: ['ignore', fd, fd],
    },
  )
  closeSync(fd)
  const exited = exitOf(child)
  const stop = async (graceMs = 30_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  const deadline = Date.now() + timeoutMs
  let stopped = false
  void exited.then(() => (stopped = true))
  for (;;) {
    const log = await readFile(logFile, 'utf8')
    const port = listeningPort(log)
    if (port !== undefined)
      return { base: `http://127.0.0.1:${port}`, port, pid: child.pid ?? -1, logFile, stop }
    if (stopped || Date.now() > deadline) {
      await stop(1000)
      throw new Error(`the server did not start (${stopped ? 'exited' : 'timed out'}):\n${log.slice(-4000)}`)
    }
    await sleep(100)
  }
}
