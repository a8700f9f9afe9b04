/**
 * Zero knowledge for snapshots: the real server process (PostgreSQL, Redis store, blobs in a folder, debug logs)
 * serves every snapshot command of the real `zkeb` executable on a generated tree (backup with a tag, an edit
 * and a second backup, ls, diff, restore, check --read-data, stats, forget, the collector), then every byte it
 * holds or wrote is searched for every file name, folder name and symlink target of the tree, the PATH, the
 * tag, and samples of the content, raw, in hex and in base64/base64url. A self-check first plants canaries and
 * requires the scan to find them, so a scan that reads nothing cannot pass.
 */
import { randomBytes } from 'node:crypto'
import { appendFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { requireRedis, startRedisServer, type RedisServer } from '../support/redis'
import { generateSnapshotTree, type GeneratedTree } from '../support/snapshot-tree'
import { scan, textSecret, type Secret, type Source } from './support/secret-scanner'
import {
  folderFiles,
  pgDump,
  pgDumpUsable,
  redisKeyspace,
  serverFiles,
  tableRows,
  withPg,
} from './support/server-holdings'
import { gcSnapshots } from './support/snapshot-gc'
import { startSnapshotWorld, type SnapshotWorld } from './support/snapshot-world'

describe('zero knowledge for snapshots: no name, target or content anywhere on the server', function () {
  this.timeout(300_000)
  let redis: RedisServer | undefined
  let world: SnapshotWorld | undefined
  let tree: GeneratedTree
  let secrets: Secret[]
  let withPgDump = false

  const holdings = async (): Promise<ReadonlyArray<Source>> => [
    ...(withPgDump ? [await pgDump(world!.database.ownerUrl)] : []),
    await tableRows(world!.database.ownerUrl),
    ...(await folderFiles(world!.blobDir, 'blob')),
    ...(await redisKeyspace(redis!.url)),
    ...(await serverFiles(world!.dataDir, world!.logFile)),
  ]

  before(async function () {
    requireRedis(this)
    redis = await startRedisServer()
    world = await startSnapshotWorld({ STORE: 'redis', REDIS_URL: redis.url })
    withPgDump = await pgDumpUsable(world.database.ownerUrl)
    if (!withPgDump && process.env['CI'])
      throw new Error('pg_dump is missing or older than the server (CI never skips it)')
    const marker = `ZKEBMARK-${randomBytes(6).toString('hex')}`
    const source = path.join(world.work, `zk source ${marker}`)
    tree = generateSnapshotTree(source, { seed: 11, files: 60, bytes: 3 * 1024 * 1024 })
    const noteName = `notes ${marker}.txt`
    await writeFile(path.join(source, noteName), `${marker} plain text content ${marker}\n`.repeat(50))
    const tag = `tag-${marker}`
    const first = await world.run<{ snapshotId: string }>(['backup', source, '--tag', tag])
    await appendFile(path.join(source, noteName), `edited ${marker}\n`)
    const second = await world.run<{ snapshotId: string }>(['backup', source, '--tag', tag])
    await world.run(['ls', second.snapshotId])
    await world.run(['diff', first.snapshotId, second.snapshotId])
    await world.run(['restore', second.snapshotId, '--target', path.join(world.work, 'restored')])
    await world.run(['check', '--read-data'])
    await world.run(['stats'])
    await world.run(['forget', first.snapshotId])
    await gcSnapshots(world)
    await world.run(['snapshots'])
    expect(await world.server().stop()).to.equal(0)
    secrets = [
      ...[...tree.names, noteName, path.basename(source), source, tag, marker].map((n) =>
        textSecret(`name ${n}`, n),
      ),
      ...tree.targets.map((t) => textSecret(`symlink target ${t}`, t)),
      ...tree.contentSamples.map((bytes, i) => ({ label: `content sample ${i}`, bytes })),
      ...(hostname().length >= 8 ? [textSecret('host name', hostname())] : []),
    ]
  })

  after(async () => {
    await world?.close()
    redis?.stop()
  })

  it('looks for every name, target and content sample of the tree', () => {
    expect(tree.names.length).to.be.greaterThan(60)
    expect(tree.targets.length).to.be.at.least(5)
    expect(tree.contentSamples.length).to.be.at.least(8)
    expect(secrets.length).to.be.greaterThan(tree.names.length + tree.targets.length)
  })

  it('finds a canary planted in each source (the scan can fail)', async () => {
    const [name, target, sample] = [tree.names[3]!, tree.targets[1]!, tree.contentSamples[0]!]
    const logSize = (await stat(world!.logFile)).size
    const canaryBlob = path.join(world!.blobDir, 'canary')
    await withPg(world!.database.ownerUrl, async (c) => {
      await c.query('create table public.zkeb_scan_canary (data bytea)')
      await c.query('insert into public.zkeb_scan_canary values ($1)', [Buffer.from(name)])
    })
    const canaryRedis = new Redis(redis!.url)
    await canaryRedis.set('zkeb:canary', Buffer.from(target).toString('base64url'))
    await appendFile(world!.logFile, `{"level":20,"msg":"canary","sample":"${sample.toString('hex')}"}\n`)
    await writeFile(canaryBlob, Buffer.concat([randomBytes(100), sample, randomBytes(100)]))
    try {
      const findings = scan(await holdings(), secrets)
      const where = (label: string) => findings.filter((f) => f.secret === label).map((f) => f.source)
      expect(where(`name ${name}`)).to.include('table rows')
      if (withPgDump) expect(where(`name ${name}`)).to.include('pg_dump')
      expect(where(`symlink target ${target}`)).to.include('redis zkeb:canary')
      expect(where('content sample 0')).to.include.members(['server log', 'blob canary'])
    } finally {
      await withPg(world!.database.ownerUrl, (c) => c.query('drop table public.zkeb_scan_canary'))
      await canaryRedis.del('zkeb:canary')
      canaryRedis.disconnect()
      await truncate(world!.logFile, logSize)
      await rm(canaryBlob)
    }
  })

  it('holds no file name, folder name, symlink target, PATH, tag or content in any encoding', async () => {
    const sources = await holdings()
    expect(sources.filter((s) => s.name.startsWith('blob ')).length).to.be.greaterThan(0)
    expect(sources.filter((s) => s.name.startsWith('redis ')).length).to.be.greaterThan(0)
    expect(sources.find((s) => s.name === 'server log')?.bytes.length).to.be.greaterThan(0)
    expect(scan(sources, secrets)).to.deep.equal([])
  })
})
