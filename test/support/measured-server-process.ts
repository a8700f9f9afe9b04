/**
 * The real server as its own process (`node --import tsx adapters/composition/main.ts`), on a fresh database of
 * TEST_DATABASE_URL's server (or its embedded default), so tests can measure that process alone (its RSS).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import pg from 'pg'
import { rssOf } from './server-memory'

const root = resolve(__dirname, '../..')

export type ServerProcess = Readonly<{
  base: string
  pid: number
  /** Resident set size now, from /proc (Linux). */
  rssBytes: () => number
  stop: () => Promise<void>
}>

const onServer = async (url: string, sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

const listeningPort = (child: ChildProcessByStdio<null, Readable, Readable>): Promise<number> =>
  new Promise((resolvePort, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const port = /"port":(\d+),"msg":"ZKEB listening/.exec(output)?.[1]
      if (port !== undefined) resolvePort(Number(port))
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)))
  })

/** `nodeArgs` go before the script: flags NODE_OPTIONS refuses, such as `--cpu-prof` or `--trace-gc`. */
export const startServerProcess = async (
  env: Record<string, string> = {},
  nodeArgs: ReadonlyArray<string> = [],
): Promise<ServerProcess> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zkeb-process-'))
  const serverUrl = process.env['TEST_DATABASE_URL']
  const name = `zkeb_process_${randomBytes(6).toString('hex')}`
  const databaseEnv: Record<string, string> = {}
  if (serverUrl !== undefined && serverUrl !== '') {
    await onServer(serverUrl, `create database ${name}`)
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    databaseEnv['DATABASE_URL'] = url.toString()
  }
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'adapters/composition/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...databaseEnv,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const port = await listeningPort(child).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  })
  // By hand (--trace-gc, --cpu-prof): SERVER_OUTPUT_FILE keeps everything the server prints.
  const outputFile = process.env['SERVER_OUTPUT_FILE']
  if (outputFile !== undefined && outputFile !== '') {
    const out = createWriteStream(outputFile)
    child.stdout.pipe(out)
    child.stderr.pipe(out)
  }
  const pid = child.pid!
  return {
    base: `http://127.0.0.1:${port}`,
    pid,
    rssBytes: () => rssOf(pid),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done))
        child.kill('SIGTERM')
        await exited
      }
      if (serverUrl !== undefined && serverUrl !== '')
        await onServer(serverUrl, `drop database if exists ${name} with (force)`)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
