/**
 * `npm run bench`: starts throwaway PostgreSQL (fsync on) and Redis, ZKEB in production mode, measures every
 * scenario of bench/RESULTS.md back to back with its ceiling, writes bench/results/<time>.json (and
 * latest.json) and prints the table. Knobs (environment): BENCH_DURATION_S (default 10 s per scenario),
 * BENCH_QUICK=1 (2 s, a smoke run), BENCH_CONNECTIONS (32), BENCH_POOL_MAX (the server's DATABASE_POOL_MAX,
 * 10), BENCH_ONLY (a comma list of sections: live,list,get,upload,large,download,login,mixed,cold,scale).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { diskCeiling, startBareKoa, type BareKoa } from './ceilings'
import { requireTools, startPostgres, startRedis, type Postgres, type RedisService } from './services'
import { newSecrets, startServer, type ServerInstance } from './server'
import { prepare } from './setup'
import type { Context } from './context'
import { measureSections } from './sections'
import { reportTable, type Row } from './report'

const quick = process.env.BENCH_QUICK === '1'
const knobs = {
  durationS: Number(process.env.BENCH_DURATION_S ?? (quick ? 2 : 10)),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  poolMax: Number(process.env.BENCH_POOL_MAX ?? 10),
  only: new Set((process.env.BENCH_ONLY ?? '').split(',').filter((s) => s !== '')),
  quick,
}

const main = async (): Promise<void> => {
  const began = new Date()
  const cleanups: Array<() => Promise<void> | void> = []
  const rows: Array<Row> = []
  let drift: ReadonlyArray<string>
  try {
    console.log(
      `bench: ${knobs.durationS} s per scenario, ${knobs.connections} connections${quick ? ' (quick)' : ''}`,
    )
    requireTools()
    const pg: Postgres = await startPostgres()
    cleanups.push(pg.stop)
    const redis: RedisService = await startRedis()
    cleanups.push(redis.stop)
    const secrets = await newSecrets()
    const serverOptions = { databaseUrl: pg.url, redisUrl: redis.url, secrets, poolMax: knobs.poolMax }
    const server: ServerInstance = await startServer(serverOptions)
    cleanups.push(server.stop)
    console.log(`server ready in ${server.readyMs.toFixed(0)} ms (fresh database, migrations applied)`)
    const prepared = await prepare(server.base, pg, 8)
    drift = prepared.drift
    for (const d of drift) console.error(d)
    const koa: BareKoa = await startBareKoa(prepared.bodies)
    cleanups.push(koa.stop)
    const disk = {
      small: diskCeiling(4096, quick ? 200 : 1000),
      mib: diskCeiling(1024 ** 2, quick ? 20 : 100),
      large: diskCeiling(100 * 1024 ** 2, quick ? 1 : 3),
    }
    const context: Context = { knobs, pg, server, serverOptions, prepared, koa, disk, cleanups }
    for await (const row of measureSections(context)) {
      rows.push(row)
      console.log(`  ${row.scenario}: ${row.rate.toFixed(row.rateUnit === 'ms' ? 0 : 1)} ${row.rateUnit}`)
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  }
  const dir = join(__dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const json = JSON.stringify(
    { began: began.toISOString(), knobs: { ...knobs, only: [...knobs.only] }, drift, rows },
    null,
    2,
  )
  writeFileSync(join(dir, `${began.toISOString().replace(/[:.]/g, '-')}.json`), json)
  writeFileSync(join(dir, 'latest.json'), json)
  console.log(`\n${reportTable(rows)}\n\nresults: bench/results/latest.json`)
  if (drift.length > 0) {
    console.error('\nbench/sql drifted from the server: the database ceilings above are not comparable')
    process.exitCode = 1
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
