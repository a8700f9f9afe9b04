import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import {
  aPassword,
  aServer,
  aUsername,
  isBackupRecord,
  someBytes,
  withAlteredSignature,
} from '../sdk/sdk-kit'
import { aCliUser, aTempDir, interceptingFetch, withBody, type CliUser } from './cli-kit'

const isContent = (url: string, init: RequestInit) => init.method === 'GET' && /\/content$/.test(url)

/** A one-line error on stderr and nothing on stdout. */
const expectOneLineError = (result: { stdout: string; stderr: string }, pattern: RegExp) => {
  expect(result.stdout).to.equal('')
  expect(result.stderr).to.match(/^zkeb: [^\n]+\n$/)
  expect(result.stderr).to.match(pattern)
}

describe('zkeb on bad input', function () {
  this.timeout(30_000)
  let server: TestServer
  let user: CliUser
  const password = aPassword()
  let backupId = ''
  const content = someBytes(300_000, 3)

  before(async () => {
    server = await aServer()
    user = aCliUser(server.base)
    const registered = await user.run(['register', aUsername()], { env: { ZKEB_PASSWORD: password } })
    expect(registered.code, registered.stderr).to.equal(0)
    const file = join(aTempDir(), 'data.bin')
    writeFileSync(file, content)
    const pushed = await user.run(['push', file, '--json'], { env: { ZKEB_PASSWORD: password } })
    backupId = (JSON.parse(pushed.stdout) as Array<{ backupId: string }>)[0]!.backupId
  })
  after(() => server.close())

  const pullWith = (fetch: ReturnType<typeof interceptingFetch>, folder: string) =>
    user.run(['pull', backupId, '-o', join(folder, 'restored.bin')], {
      env: { ZKEB_PASSWORD: password },
      fetch,
    })

  it('refuses a wrong password with exit 4 and one line', async () => {
    const result = await user.run(['ls'], { env: { ZKEB_PASSWORD: 'not-the-password' } })
    expect(result.code).to.equal(4)
    expectOneLineError(result, /wrong username or password/)
  })

  it('asks for the password without echo when ZKEB_PASSWORD is not set, and exits 2 when it cannot', async () => {
    const prompted = await user.run(['whoami'], { secrets: [password] })
    expect(prompted.code, prompted.stderr).to.equal(0)
    const noTerminal = await user.run(['whoami'])
    expect(noTerminal.code).to.equal(2)
    expectOneLineError(noTerminal, /ZKEB_PASSWORD/)
  })

  it('leaves no file behind when the download is cut short, and exits 8', async () => {
    const folder = aTempDir()
    const cut = interceptingFetch(async (url, init, res) =>
      isContent(url, init)
        ? withBody(res, new Uint8Array(await res.arrayBuffer()).subarray(0, 100_000))
        : res,
    )
    const result = await pullWith(cut, folder)
    expect(result.code).to.equal(8)
    expectOneLineError(result, /corrupt or incomplete/)
    expect(readdirSync(folder)).to.deep.equal([])
  })

  it('leaves no file behind when the download is garbage, and exits 8', async () => {
    const folder = aTempDir()
    const flipped = interceptingFetch(async (url, init, res) => {
      if (!isContent(url, init)) return res
      const bytes = new Uint8Array(await res.arrayBuffer())
      bytes[bytes.length - 20]! ^= 0xff
      return withBody(res, bytes)
    })
    const result = await pullWith(flipped, folder)
    expect(result.code).to.equal(8)
    expectOneLineError(result, /corrupt/)
    expect(readdirSync(folder)).to.deep.equal([])
  })

  it('leaves no file behind when the record’s upload signature was altered, and exits 8', async () => {
    const folder = aTempDir()
    const tampered = interceptingFetch((url, init, res) =>
      isBackupRecord(url, init) ? withAlteredSignature(res) : res,
    )
    const result = await pullWith(tampered, folder)
    expect(result.code).to.equal(8)
    expectOneLineError(result, /signature does not verify/)
    expect(readdirSync(folder)).to.deep.equal([])
  })

  it('reports a server that answers garbage with exit 9', async () => {
    const html = interceptingFetch((url, _init, res) =>
      url.endsWith('/api/v1/account') ? withBody(res, '<html>oops</html>') : res,
    )
    const result = await user.run(['quota'], { env: { ZKEB_PASSWORD: password }, fetch: html })
    expect(result.code).to.equal(9)
    expectOneLineError(result, /invalid response/)
  })

  it('reports an unreachable server with exit 9', async () => {
    // A kept session is never sent to another server (default-server.test.ts), so register there instead.
    const result = await user.run(['register', aUsername(), '--server', 'http://127.0.0.1:1'], {
      env: { ZKEB_PASSWORD: password },
    })
    expect(result.code).to.equal(9)
    expectOneLineError(result, /cannot reach the server/)
  })

  it('reports a corrupted state file with exit 10, and setting up the account again repairs it', async () => {
    const other = aCliUser(server.base)
    writeFileSync(join(other.configDir, 'state.json'), '{"version": 1, "server": ')
    const result = await other.run(['ls'], { env: { ZKEB_PASSWORD: password } })
    expect(result.code).to.equal(10)
    expectOneLineError(result, /state\.json is corrupted/)
    const repaired = await other.run(['register', aUsername()], { env: { ZKEB_PASSWORD: password } })
    expect(repaired.code, repaired.stderr).to.equal(0)
    expect((await other.run(['ls'], { env: { ZKEB_PASSWORD: password } })).code).to.equal(0)
  })

  it('reports a state file whose device key does not open with exit 10', async () => {
    const other = aCliUser(server.base)
    const username = aUsername()
    expect((await other.run(['register', username], { env: { ZKEB_PASSWORD: password } })).code).to.equal(0)
    const path = join(other.configDir, 'state.json')
    const state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
    writeFileSync(path, JSON.stringify({ ...state, wrappedDeviceKey: 'A'.repeat(80) }))
    const result = await other.run(['ls'], { env: { ZKEB_PASSWORD: password } })
    expect(result.code).to.equal(10)
    expectOneLineError(result, /device-key/)
  })

  it('exits 2 on an unknown command or option, 5 on an unknown backup, 11 on a missing file', async () => {
    expect((await user.run(['frobnicate'])).code).to.equal(2)
    expect((await user.run(['ls', '--colour'])).code).to.equal(2)
    const missing = await user.run(['pull', '4f7d1c2a-1111-4222-8333-444455556666'], {
      env: { ZKEB_PASSWORD: password },
    })
    expect(missing.code).to.equal(5)
    const noFile = await user.run(['push', '/nonexistent/zkeb/file'], { env: { ZKEB_PASSWORD: password } })
    expect(noFile.code).to.equal(11)
  })

  it('draws a progress bar with rate and ETA on a terminal only', async () => {
    const folder = aTempDir()
    const onTty = await user.run(['pull', backupId, '-o', join(folder, 'a.bin')], {
      env: { ZKEB_PASSWORD: password },
      tty: true,
    })
    expect(onTty.code, onTty.stderr).to.equal(0)
    expect(onTty.stderr).to.match(/100% .*\/s ETA \d+:\d\d/)
    const piped = await user.run(['pull', backupId, '-o', join(folder, 'b.bin')], {
      env: { ZKEB_PASSWORD: password },
    })
    expect(piped.stderr).to.equal('')
  })
})
