/**
 * A real Redis Cluster for adapter tests: three throwaway `redis-server --cluster-enabled yes` nodes (no
 * replicas, no persistence, free ports for clients and for the cluster bus) joined by `redis-cli --cluster
 * create`, stopped when the suite or the process ends. Without the binaries the suites skip locally and fail
 * under CI, as the single-server Redis suites do.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './redis'

const serverBinary = process.env.REDIS_SERVER_BIN ?? 'redis-server'
const cliBinary = process.env.REDIS_CLI_BIN ?? 'redis-cli'

const runs = (binary: string): boolean => spawnSync(binary, ['--version']).status === 0

/** For a suite's `before`: skips locally without redis-server and redis-cli, fails under CI. */
export const requireRedisCluster = (context: Mocha.Context): void => {
  if (runs(serverBinary) && runs(cliBinary)) return
  if (process.env.CI)
    throw new Error(`${serverBinary} or ${cliBinary} not found: the Redis Cluster tests cannot run`)
  context.skip()
}

export type RedisCluster = Readonly<{
  /** One node's URL: the seed REDIS_URL names with REDIS_CLUSTER=true. */
  url: string
  ports: ReadonlyArray<number>
  stop: () => void
}>

const cli = (args: ReadonlyArray<string>) =>
  spawnSync(cliBinary, [...args], { encoding: 'utf8', timeout: 20_000 })

const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return
    await sleep(50)
  }
  throw new Error(`Redis Cluster: ${what} not reached after 10 s`)
}

export const startRedisCluster = async (size = 3): Promise<RedisCluster> => {
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-test-redis-cluster-'))
  const ports: Array<number> = []
  const children: Array<ChildProcess> = []
  const stop = (): void => {
    process.off('exit', stop)
    for (const child of children) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', stop)
  try {
    for (let i = 0; i < size; i += 1) {
      const [port, busPort] = [await freePort(), await freePort()]
      ports.push(port)
      children.push(
        spawn(
          serverBinary,
          [
            ...[
              '--bind',
              '127.0.0.1',
              '--port',
              String(port),
              '--dir',
              dir,
              '--save',
              '',
              '--appendonly',
              'no',
            ],
            ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
            ...['--cluster-config-file', join(dir, `nodes-${port}.conf`)],
          ],
          { stdio: 'ignore' },
        ),
      )
    }
    await until('every node answering', () =>
      ports.every((port) => cli(['-p', String(port), 'ping']).stdout.trim() === 'PONG'),
    )
    const created = cli([
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${created.stdout.slice(-500)}`)
    await until('cluster_state:ok on every node', () =>
      ports.every((port) => cli(['-p', String(port), 'cluster', 'info']).stdout.includes('cluster_state:ok')),
    )
  } catch (error) {
    stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${ports[0]}`, ports, stop }
}
