/**
 * `zkeb push` of a file at or above ZKEB_RESUMABLE_THRESHOLD goes over tus: a push cut off mid-upload leaves
 * its resumption record (0600) in the config folder, and the next push of the same file resumes from the
 * server's offset (no new upload, no byte sent twice past the stored parts) and commits the exact bytes.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import type { FetchLike } from '../../../client/sdk'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername, someBytes } from '../sdk/sdk-kit'
import { aCliUser, aTempDir, type CliUser } from './cli-kit'

const partBytes = 64 * 1024
const resumable = { ZKEB_RESUMABLE_THRESHOLD: '1000', ZKEB_RESUMABLE_PART_BYTES: String(partBytes) }

type Seen = Readonly<{ method: string; url: string; offset: string | undefined }>

/** Passes requests through, noting each; from the `failFrom`-th PATCH on, fails as a cut network would. */
const watchingFetch = (seen: Seen[], failFrom = Infinity): FetchLike => {
  let patches = 0
  return async (url, init) => {
    const headers = (init.headers ?? {}) as Record<string, string>
    seen.push({ method: init.method ?? 'GET', url, offset: headers['Upload-Offset'] })
    if (init.method === 'PATCH' && ++patches >= failFrom) throw new TypeError('fetch failed')
    return fetch(url, init)
  }
}

describe('zkeb push, resumable above the threshold', function () {
  this.timeout(60_000)
  let server: TestServer
  let user: CliUser
  const password = aPassword()
  const content = someBytes(5 * partBytes + 1234, 11)
  const file = join(aTempDir('zkeb-files-'), 'big.bin')

  before(async () => {
    server = await aServer()
    // @tus/server checks Upload-Expires against the system time: the application's clock starts there.
    server.zkeb.clock.set(new Date())
    user = aCliUser(server.base)
    const registered = await user.run(['register', aUsername()], { env: { ZKEB_PASSWORD: password } })
    expect(registered.code, registered.stderr).to.equal(0)
    writeFileSync(file, content)
  })
  after(() => server.close())

  it('resumes an interrupted push from the stored offset and commits the exact bytes', async () => {
    const env = { ZKEB_PASSWORD: password, ...resumable }
    const first: Seen[] = []
    const cut = await user.run(['push', file, '--json'], { env, fetch: watchingFetch(first, 3) })
    expect(cut.code).not.to.equal(0)
    expect(first.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/uploads'))).to.have.length(1)

    const recordPath = join(user.configDir, 'uploads.json')
    expect(statSync(recordPath).mode & 0o777).to.equal(0o600)
    const [record] = Object.values(
      JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, never>,
    ) as Array<{
      uploadPath: string
      backupId: string
    }>
    expect(record!.uploadPath).to.match(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/)
    expect(readFileSync(recordPath, 'utf8')).not.to.include(password)

    const second: Seen[] = []
    const resumed = await user.run(['push', file, '--json'], { env, fetch: watchingFetch(second) })
    expect(resumed.code, resumed.stderr).to.equal(0)
    const [pushed] = JSON.parse(resumed.stdout) as Array<{ backupId: string; size: number }>
    expect(pushed!.backupId).to.equal(record!.backupId)
    expect(second.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/uploads'))).to.deep.equal([])
    const patches = second.filter((r) => r.method === 'PATCH')
    expect(patches[0]!.offset).to.equal(String(2 * partBytes))
    expect(JSON.parse(readFileSync(recordPath, 'utf8'))).to.deep.equal({})

    const target = join(aTempDir('zkeb-out-'), 'restored.bin')
    const pulled = await user.run(['pull', pushed!.backupId, '-o', target], { env })
    expect(pulled.code, pulled.stderr).to.equal(0)
    expect(readFileSync(target).equals(Buffer.from(content))).to.equal(true)
  })

  it('pushes below the threshold in one request, as before', async () => {
    const small = join(aTempDir('zkeb-files-'), 'small.bin')
    writeFileSync(small, someBytes(500, 3))
    const seen: Seen[] = []
    const env = { ZKEB_PASSWORD: password, ...resumable }
    const result = await user.run(['push', small], { env, fetch: watchingFetch(seen) })
    expect(result.code, result.stderr).to.equal(0)
    expect(seen.some((r) => r.url.includes('/api/v1/uploads'))).to.equal(false)
    expect(seen.some((r) => r.method === 'PUT' && r.url.endsWith('/content'))).to.equal(true)
  })
})
