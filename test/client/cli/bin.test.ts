import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername } from '../sdk/sdk-kit'
import { aTempDir } from './cli-kit'

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
})
