/**
 * The snapshot commands on bad input and bad answers: each fails with one line on stderr and its documented
 * exit code (and `{"error": …}` with --json), and a corrupt object from the server never reaches the target.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { ExitCode } from '../../../client/cli/exit-codes'
import { removeDir, tempDir } from '../snapshot/snapshot-kit'
import { aCliUser, interceptingFetch, withBody, type CliRun } from './cli-kit'
import { aSmallTree, aSnapshotCli, type SnapshotCli } from './snapshot-kit'

const failsWith = (result: CliRun, code: number, pattern: RegExp) => {
  expect(result.code, result.stderr).to.equal(code)
  expect(result.stderr).to.match(/^zkeb: [^\n]+\n$/)
  expect(result.stderr).to.match(pattern)
}

/** Flips the last byte of every object read answer (an object's tag or padding): it cannot authenticate. */
const corruptingReads = interceptingFetch(async (url, init, res) => {
  if (init.method !== 'POST' || !url.endsWith('/snapshot-objects/read') || res.status !== 200) return res
  const body = new Uint8Array(await res.arrayBuffer())
  body[body.length - 1]! ^= 0x01
  return withBody(res, body)
})

describe('zkeb snapshot commands on bad input', function () {
  this.timeout(60_000)
  let cli: SnapshotCli
  let work: string
  let tree: string
  let ids: string[] = []

  before(async () => {
    cli = await aSnapshotCli()
    work = await tempDir('cli-snapshot-failures')
    tree = await aSmallTree(work)
  })
  after(async () => {
    await cli.server.close()
    await removeDir(work)
  })

  it('refuses a backup without PATH (2) or of a PATH that does not exist (11), with --json too', async () => {
    failsWith(await cli.zkeb(['backup']), ExitCode.usage, /usage: zkeb backup PATH/)
    const missing = await cli.zkeb(['backup', join(work, 'nope'), '--json'])
    expect(missing.code).to.equal(ExitCode.localFile)
    expect(JSON.parse(missing.stdout)).to.deep.include({
      error: { exitCode: 11, message: missing.stderr.slice(6, -1) },
    })
    failsWith(
      await cli.zkeb(['backup', tree, '--exclude-file', join(work, 'nope')]),
      ExitCode.localFile,
      /cannot read/,
    )
  })

  it('shows progress with a rate and ETA on a terminal only', async () => {
    const result = await cli.zkeb(['backup', tree], { tty: true })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.match(/backup \[#+\] 100% .+\/s ETA \d+:\d\d/)
    ids = (await cli.json<Array<{ snapshotId: string }>>(['snapshots'])).map((s) => s.snapshotId)
  })

  it('names an unknown snapshot (5), a malformed id (2) and a path not in the snapshot (2)', async () => {
    failsWith(await cli.zkeb(['ls', 'abcdef12-0000']), ExitCode.notFound, /no snapshot abcdef12-0000/)
    failsWith(await cli.zkeb(['ls', 'zz']), ExitCode.usage, /not a snapshot id: zz/)
    failsWith(await cli.zkeb(['ls', `${ids[0]}:tree/nothing`]), ExitCode.usage, /path not in snapshot/)
    const target = join(work, 'never')
    failsWith(
      await cli.zkeb(['restore', `${ids[0]}:nothing`, '--target', target]),
      ExitCode.usage,
      /path not in snapshot/,
    )
    failsWith(await cli.zkeb(['diff', ids[0]!]), ExitCode.usage, /usage: zkeb diff/)
    failsWith(await cli.zkeb(['ls', ids[0]!, '--trash']), ExitCode.usage, /--trash/)
  })

  it('refuses an ambiguous id prefix (2) and forgets nothing when one id of several is unknown (5)', async () => {
    const byFirst = new Map<string, number>()
    while (![...byFirst.values()].some((n) => n > 1)) {
      ids = (await cli.json<Array<{ snapshotId: string }>>(['snapshots'])).map((s) => s.snapshotId)
      byFirst.clear()
      for (const id of ids) byFirst.set(id[0]!, (byFirst.get(id[0]!) ?? 0) + 1)
      if (![...byFirst.values()].some((n) => n > 1)) await cli.ok(['backup', tree])
    }
    const shared = [...byFirst.entries()].find(([, n]) => n > 1)![0]
    failsWith(await cli.zkeb(['ls', shared]), ExitCode.usage, /matches several snapshots/)
    const before = ids.length
    failsWith(await cli.zkeb(['forget', ids[0]!, 'abcdef12-0000']), ExitCode.notFound, /no snapshot/)
    expect(await cli.json<unknown[]>(['snapshots'])).to.have.length(before)
  })

  it('fails a restore and a read-data check on a corrupt object (8), writing no file from it', async () => {
    const target = join(work, 'corrupt')
    const restored = await cli.zkeb(['restore', ids[0]!, '--target', target], { fetch: corruptingReads })
    failsWith(restored, ExitCode.integrity, /corrupt/)
    expect(existsSync(join(target, 'tree/docs/deep/data.bin'))).to.equal(false)
    const checked = await cli.zkeb(['check', '--read-data'], { fetch: corruptingReads })
    expect(checked.code).to.equal(ExitCode.integrity)
    expect(checked.stderr).to.match(/check found \d+ problem/)
  })

  it('asks to log in first (3)', async () => {
    const stranger = aCliUser(cli.server.base)
    const result = await stranger.run(['snapshots'], { env: { ZKEB_PASSWORD: 'x' } })
    failsWith(result, ExitCode.notLoggedIn, /not logged in/)
  })
})
