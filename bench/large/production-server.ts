/**
 * The ZKEB server as production runs it (NODE_ENV=production, STORE=redis, its own secrets) on a fresh
 * PostgreSQL database and a throwaway redis-server, as its own process, for the large benchmarks.
 * The database server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * the database is created for the run and dropped after it.
 * One difference from the image: the code runs through tsx, not compiled (it only changes start-up time).
 * `store` is BLOB_STORE: `fs` (a fresh folder under the system temp folder, removed at close) or `postgres`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as opaque from '@serenity-kit/opaque'
import { type ServerProcess, startServerProcess } from '../../test/support/measured-server-process'
import { startRedisServer } from '../../test/support/redis'

export type BenchServer = ServerProcess & Readonly<{ close: () => Promise<void> }>

export type BenchBlobStore = 'fs' | 'postgres'

/** BENCH_BLOB_STORES (comma-separated) picks the stores a bench runs against; both by default. */
export const benchBlobStores = (): ReadonlyArray<BenchBlobStore> =>
  (process.env['BENCH_BLOB_STORES'] ?? 'fs,postgres')
    .split(',')
    .filter((s): s is BenchBlobStore => s === 'fs' || s === 'postgres')

export const startProductionServer = async (store: BenchBlobStore = 'fs'): Promise<BenchServer> => {
  process.env['TEST_DATABASE_URL'] =
    process.env['BENCH_DATABASE_URL'] ??
    process.env['TEST_DATABASE_URL'] ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  await opaque.ready
  const redis = await startRedisServer()
  const blobDir = mkdtempSync(join(tmpdir(), 'zkeb-bench-blobs-'))
  // By hand: BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server (written at its exit).
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '')
  const server = await startServerProcess(
    {
      NODE_ENV: 'production',
      STORE: 'redis',
      REDIS_URL: redis.url,
      OPAQUE_SERVER_SETUP: opaque.server.createSetup(),
      TOKEN_SECRET: randomBytes(32).toString('hex'),
      MIGRATE_ON_START: 'true',
      BLOB_STORE: store,
      ...(store === 'fs' ? { BLOB_DIR: blobDir } : {}),
    },
    nodeArgs,
  ).catch((e: unknown) => {
    redis.stop()
    rmSync(blobDir, { recursive: true, force: true })
    throw e
  })
  return {
    ...server,
    close: async () => {
      await server.stop()
      redis.stop()
      rmSync(blobDir, { recursive: true, force: true })
    },
  }
}
