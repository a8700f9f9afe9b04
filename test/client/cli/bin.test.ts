import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername } from '../sdk/sdk-kit'
import { startSnapshotServer } from '../../support/snapshot-server'
import { expectSameFolder } from '../snapshot/snapshot-kit'
import { aTempDir } from './cli-kit'
import { aSmallTree } from './snapshot-kit'

const bin = join(__dirname, '..', '..', '..', 'client', 'cli', 'bin.js')

/** Runs the real executable in a child process (async, so this process's test server keeps serving). */
const zkeb = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

describe('the zkeb executable', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  it('prints its usage with the exit codes and exits 0 for --help', async () => {
    const result = await zkeb(['--help'], {})
    expect(result.code).to.equal(0)
    expect(result.stdout).to.match(/^Usage: zkeb COMMAND/)
    expect(result.stdout).to.include('Exit codes:')
  })

  it('runs from a compiled bundle it rebuilds when a source changes, or through tsx, with the same result', async () => {
    const cache = aTempDir('zkeb-cli-cache-')
    const manifestFile = join(cache, 'manifest.json')
    const first = await zkeb(['help', 'whoami'], { ZKEB_CLI_CACHE: cache })
    expect(first.code, first.stderr).to.equal(0)
    expect(existsSync(join(cache, 'main.js'))).to.equal(true)
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { inputs: Record<string, string> }
    expect(Object.keys(manifest.inputs)).to.include.members(['client/cli/main.ts', 'client/cli/help.ts'])
    const built = statSync(join(cache, 'main.js')).mtimeMs
    expect((await zkeb(['help', 'whoami'], { ZKEB_CLI_CACHE: cache })).stdout).to.equal(first.stdout)
    expect(statSync(join(cache, 'main.js')).mtimeMs, 'rebuilt while fresh').to.equal(built)
    const stale = { ...manifest, inputs: { ...manifest.inputs, 'client/cli/help.ts': '0:0' } }
    writeFileSync(manifestFile, JSON.stringify(stale))
    expect((await zkeb(['help', 'whoami'], { ZKEB_CLI_CACHE: cache })).stdout).to.equal(first.stdout)
    expect(JSON.parse(readFileSync(manifestFile, 'utf8'))).to.deep.equal(manifest)
    const unused = aTempDir('zkeb-cli-cache-')
    const viaTsx = await zkeb(['help', 'whoami'], { ZKEB_CLI_TSX: '1', ZKEB_CLI_CACHE: unused })
    expect(viaTsx.stdout).to.equal(first.stdout)
    expect(existsSync(join(unused, 'main.js'))).to.equal(false)
  })

  it('registers and answers whoami as a separate process, with the default key stretching', async () => {
    const env = { ZKEB_CONFIG_DIR: aTempDir(), ZKEB_PASSWORD: aPassword(), ZKEB_SERVER: server.base }
    const username = aUsername()
    const registered = await zkeb(['register', username, '--json'], env)
    expect(registered.code, registered.stderr).to.equal(0)
    const whoami = await zkeb(['whoami', '--json'], env)
    expect(whoami.code, whoami.stderr).to.equal(0)
    expect(JSON.parse(whoami.stdout)).to.include({ username, server: server.base })
    const wrong = await zkeb(['whoami'], { ...env, ZKEB_PASSWORD: 'wrong' })
    expect(wrong.code).to.equal(4)
    expect(wrong.stderr).to.equal('zkeb: wrong username or password\n')
  })

  it('backs up and restores a folder from the bundle, which holds the snapshot commands', async () => {
    const snapshots = await startSnapshotServer()
    const cache = aTempDir('zkeb-cli-cache-')
    const env = {
      ZKEB_CONFIG_DIR: aTempDir(),
      ZKEB_PASSWORD: aPassword(),
      ZKEB_SERVER: snapshots.base,
      ZKEB_CLI_CACHE: cache,
    }
    try {
      const tree = await aSmallTree(aTempDir())
      expect((await zkeb(['register', aUsername()], env)).code).to.equal(0)
      const backedUp = await zkeb(['backup', tree, '--json'], env)
      expect(backedUp.code, backedUp.stderr).to.equal(0)
      const { snapshotId } = JSON.parse(backedUp.stdout) as { snapshotId: string }
      const target = aTempDir()
      const restored = await zkeb(['restore', snapshotId.slice(0, 8), '--target', target], env)
      expect(restored.code, restored.stderr).to.equal(0)
      await expectSameFolder(join(target, 'tree'), tree)
      const inputs = Object.keys(
        (JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as { inputs: object }).inputs,
      )
      expect(inputs).to.include.members([
        'client/cli/commands/snapshot-backup.ts',
        'client/cli/commands/snapshot-read.ts',
        'client/snapshot/http-store.ts',
      ])
    } finally {
      await snapshots.close()
    }
  })
})
