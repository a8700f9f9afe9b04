/**
 * The unmodified restic client (Debian package) through a whole cycle against the real server (composition
 * root over real PostgreSQL) under the default rate limits: init, backup, snapshots, restore with a byte
 * comparison, check --read-data, forget --prune; an append-only token that can still back up but is refused
 * forget and deletes; and a backup that rides out 429s over a tight account limit (restic 0.14 retries a
 * refused request about ten times with backoff, so a limit that frees points within ~40 s slows it, no more).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { expect } from 'chai'
import { aCliUser, type CliUser } from '../../client/cli/cli-kit'
import { aPassword, aUsername } from '../../client/sdk/sdk-kit'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { type RealZkebServer, startRealZkebServer } from '../../support/real-zkeb-server'
import {
  httpCaller,
  logInOverHttp,
  looseRateLimits,
  registerOverHttp,
  resticTokenOverHttp,
} from '../http/http-test-kit'
import { restic, resticAvailable, type ResticRun } from '../../support/restic'

const MiB = 1024 * 1024

/** A few MiB with duplicate content: 4 MiB of unique bytes in 8 MiB of files, plus small ones. */
const writeDataSet = (root: string): void => {
  const big = randomBytes(3 * MiB + 12_345)
  const block = randomBytes(MiB)
  mkdirSync(join(root, 'photos', '2026'), { recursive: true })
  mkdirSync(join(root, 'notes'), { recursive: true })
  writeFileSync(join(root, 'photos', '2026', 'a.raw'), big)
  writeFileSync(join(root, 'photos', 'copy-of-a.raw'), big)
  writeFileSync(join(root, 'block.bin'), block)
  writeFileSync(join(root, 'notes', 'block-again.bin'), block)
  writeFileSync(join(root, 'empty.txt'), '')
  for (let i = 0; i < 20; i++)
    writeFileSync(join(root, 'notes', `note-${i}.txt`), `note ${i} ${randomBytes(8).toString('hex')}\n`)
}

/** Relative path → SHA-256 of every file under `root`. */
const digests = (root: string, dir = root): Record<string, string> => {
  const found: Record<string, string> = {}
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) Object.assign(found, digests(root, path))
    else found[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex')
  }
  return found
}

describe('restic REST backend: the real restic client against the real server', function () {
  this.timeout(300_000)
  let server: RealZkebServer
  let user: CliUser
  const password = aPassword()
  const work = mkdtempSync(join(tmpdir(), 'zkeb-restic-'))
  const source = join(work, 'source')
  let full: Record<string, string>
  let appendOnly: Record<string, string>

  const zkeb = async (argv: string[]) => {
    const result = await user.run([...argv, '--json'], { env: { ZKEB_PASSWORD: password } })
    expect(result.code, result.stderr).to.equal(0)
    return JSON.parse(result.stdout) as Record<string, unknown>
  }
  const envFor = (repository: string): Record<string, string> => ({
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD: 'restic repository password',
    RESTIC_CACHE_DIR: join(work, 'cache'),
    HOME: work,
  })
  const ok = async (args: string[], env: Record<string, string>): Promise<ResticRun> => {
    const run = await restic(args, env)
    expect(run.code, `restic ${args[0]}: ${run.stderr}`).to.equal(0)
    return run
  }
  const snapshotCount = async (env: Record<string, string>) =>
    (JSON.parse((await ok(['snapshots', '--json'], env)).stdout) as unknown[]).length
  const usedBytes = async () => ((await zkeb(['quota'])) as { usedBytes: number }).usedBytes

  before(async function () {
    if (!resticAvailable()) return this.skip()
    server = await startRealZkebServer({}, defaultRateLimitRules)
    user = aCliUser(server.base)
    const registered = await user.run(['register', aUsername(), '--json'], { secrets: [password, password] })
    expect(registered.code, registered.stderr).to.equal(0)
    const created = await zkeb(['restic-token', 'create', '--repo', 'laptop'])
    const limited = await zkeb(['restic-token', 'create', '--append-only', '--repo', 'laptop'])
    full = envFor(created['repository'] as string)
    appendOnly = envFor(limited['repository'] as string)
    writeDataSet(source)
  })
  after(async () => {
    await server?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('initialises a repository, and refuses a second init', async () => {
    await ok(['init'], full)
    const again = await restic(['init'], full)
    expect(again.code).not.to.equal(0)
    expect(again.stderr).to.match(/already (exists|initialized)/)
  })

  it('backs up a data set with duplicate content, stored once and counted against the quota', async () => {
    await ok(['backup', '--host', 'ci', source], full)
    expect(await snapshotCount(full)).to.equal(1)
    const used = await usedBytes()
    // 4 MiB of unique content in 8 MiB of files: each stored once (restic's overhead is a few KiB).
    expect(used).to.be.greaterThan(4 * MiB)
    expect(used).to.be.lessThan(5 * MiB)
    expect(used).to.equal(await storedBytes(full))
  })

  it('restores every file byte for byte', async () => {
    const target = join(work, 'restored')
    await ok(['restore', 'latest', '--target', target], full)
    expect(digests(join(target, source))).to.deep.equal(digests(source))
  })

  it('passes check --read-data (every pack read back and verified)', async () => {
    const run = await ok(['check', '--read-data'], full)
    expect(run.stdout).to.match(/no errors were found/)
  })

  it('backs up with an append-only token, which is refused forget --prune and deleting data', async () => {
    writeFileSync(join(source, 'notes', 'new.txt'), randomBytes(200_000))
    await ok(['backup', '--host', 'ci', source], appendOnly)
    expect(await snapshotCount(appendOnly)).to.equal(2)

    const forget = await restic(['forget', '--keep-last', '1', '--prune'], appendOnly)
    expect(forget.code).not.to.equal(0)
    expect(forget.stderr).to.match(/403/)
    expect(await snapshotCount(full)).to.equal(2)

    const packs = (await fetchAs(appendOnly, 'data/', { Accept: 'application/vnd.x.restic.rest.v2' }).then(
      (r) => r.json(),
    )) as Array<{ name: string }>
    expect(packs.length).to.be.greaterThan(0)
    const refused = await fetchAs(appendOnly, `data/${packs[0]!.name}`, {}, 'DELETE')
    expect(refused.status).to.equal(403)
    await ok(['unlock'], appendOnly)
  })

  it('forgets and prunes with a full token, then still checks clean and frees quota', async () => {
    const before = await usedBytes()
    await ok(['unlock'], full)
    await ok(['forget', '--keep-last', '1', '--prune'], full)
    expect(await snapshotCount(full)).to.equal(1)
    await ok(['check', '--read-data'], full)
    expect(await usedBytes()).to.be.lessThan(before)
  })
})

describe('restic REST backend: the real restic client over a tight account limit', function () {
  this.timeout(300_000)
  let server: RealZkebServer
  const work = mkdtempSync(join(tmpdir(), 'zkeb-restic-429-'))
  after(async () => {
    await server?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('backs up and checks through 429s: restic retries until the limit frees points', async function () {
    if (!resticAvailable()) return this.skip()
    // 15 calls per 10 s: a backup of 30 files needs several windows' worth, so restic meets 429s.
    const account = { name: `account-${randomBytes(4).toString('hex')}`, points: 15, windowSeconds: 10 }
    server = await startRealZkebServer({}, { ...looseRateLimits, account })
    const api = { call: httpCaller(server.base) }
    const registered = await registerOverHttp(api)
    const session = await logInOverHttp(api, registered)
    const { token } = await resticTokenOverHttp(api, session.accessToken)
    const source = join(work, 'source')
    mkdirSync(source)
    for (let i = 0; i < 30; i++) writeFileSync(join(source, `file-${i}`), randomBytes(200_000))
    const url = new URL('restic/tight/', `${server.base}/`)
    url.username = registered.username
    url.password = token
    const env = {
      RESTIC_REPOSITORY: `rest:${url.toString()}`,
      RESTIC_PASSWORD: 'restic repository password',
      RESTIC_CACHE_DIR: join(work, 'cache'),
      HOME: work,
    }
    let refusals = 0
    for (const args of [['init'], ['backup', source], ['check']]) {
      const run = await restic(args, env)
      expect(run.code, `restic ${args[0]}: ${run.stderr}`).to.equal(0)
      refusals += run.stderr.split('\n').filter((line) => line.includes('429')).length
    }
    expect(refusals, 'restic met the limit and retried').to.be.greaterThan(0)
  })
})

/** The sizes of every object of the repository, as its v2 listings and the config's HEAD give them. */
const storedBytes = async (env: Record<string, string>): Promise<number> => {
  let total = Number((await fetchAs(env, 'config', {}, 'HEAD')).headers.get('content-length'))
  for (const type of ['data', 'keys', 'locks', 'snapshots', 'index']) {
    const listed = (await (
      await fetchAs(env, `${type}/`, { Accept: 'application/vnd.x.restic.rest.v2' })
    ).json()) as Array<{
      size: number
    }>
    total += listed.reduce((sum, entry) => sum + entry.size, 0)
  }
  return total
}

/** A raw request to the repository named by `env`, with the token from its URL as basic auth. */
const fetchAs = (
  env: Record<string, string>,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<Response> => {
  const url = new URL(env['RESTIC_REPOSITORY']!.slice('rest:'.length))
  const auth = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64')
  const target = `${url.origin}${url.pathname}${path}`
  return fetch(target, { method, headers: { ...headers, Authorization: `Basic ${auth}` } })
}
