import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { argon2idAsync } from '@noble/hashes/argon2.js'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { localKeyFor, openSession, openUnlock } from '../../../client/cli/kept-keys'
import { stretchPassword, type Argon2Params } from '../../../client/cli/password-stretching'
import { CliState } from '../../../client/cli/state'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const bytes = (length: number, from = 0) => Uint8Array.from({ length }, (_, i) => (from + i) & 0xff)
const noble = (password: string, salt: Uint8Array, p: Argon2Params) =>
  argon2idAsync(new TextEncoder().encode(password), salt, {
    m: p.memoryKiB,
    t: p.iterations,
    p: p.parallelism,
    dkLen: 32,
  })

/** The default ('memory-constrained') parameters every state file written so far carries. */
const defaults: Argon2Params = { memoryKiB: 2 ** 16, iterations: 3, parallelism: 4 }

describe('the CLI’s password stretching (Argon2id in WebAssembly)', function () {
  this.timeout(60_000)

  it('gives the bytes @noble/hashes gives, for the default parameters and others', async () => {
    const vectors: ReadonlyArray<[string, Uint8Array, Argon2Params]> = [
      ['correct horse battery staple ✓', bytes(16, 1), defaults],
      ['', bytes(16), { memoryKiB: 64, iterations: 1, parallelism: 1 }],
      ['pässwörd 🔑', bytes(32, 200), { memoryKiB: 1024, iterations: 2, parallelism: 2 }],
      ['x'.repeat(1000), bytes(16, 9), { memoryKiB: 256, iterations: 4, parallelism: 8 }],
      ['p', bytes(24, 3), { memoryKiB: 4096, iterations: 1, parallelism: 16 }],
    ]
    for (const [password, salt, params] of vectors)
      expect(hex(await stretchPassword(password, salt, params)), JSON.stringify(params)).to.equal(
        hex(await noble(password, salt, params)),
      )
  })

  it('gives the pinned bytes for the default parameters (computed by @noble/hashes 2.4)', async () => {
    const key = await stretchPassword('correct horse battery staple ✓', bytes(16, 1), defaults)
    expect(hex(key)).to.equal('d1ad99a3da39e07203c938d801647dfefed37228dc94d77fe8c8ec690c97fcf8')
  })

  it('opens a state file sealed by the CLI when it stretched with @noble/hashes', async () => {
    const file = join(__dirname, 'fixtures', 'state-v2-noble-argon2.json')
    const decoded = CliState.decode(JSON.parse(readFileSync(file, 'utf8')))
    if (E.isLeft(decoded) || decoded.right.unlock === undefined || decoded.right.session === undefined)
      throw new Error('the fixture is not a logged-in version 2 state')
    const { unlock, session, accountId, deviceId } = decoded.right
    expect(unlock).to.include(defaults)
    const ids = { accountId, deviceId }
    const local = await localKeyFor('correct horse battery staple ✓', unlock)
    if (E.isLeft(local)) throw new Error(local.left)
    const secrets = await openUnlock(local.right, ids, unlock)
    if (E.isLeft(secrets)) throw new Error(`unlock did not open: ${secrets.left}`)
    expect(hex(secrets.right.umk)).to.equal(hex(bytes(32)))
    expect(hex(secrets.right.exportKey)).to.equal(hex(bytes(64).map((b) => 255 - b)))
    expect(secrets.right.keyBundleVersion).to.equal(3)
    expect(await openSession(secrets.right.umk, ids, session)).to.deep.equal(
      E.right({
        accessToken: 'access-token-fixture',
        refreshToken: 'refresh-token-fixture',
        expiresIn: 900,
        expiresAt: 1_800_000_000_000,
      }),
    )
    const wrong = await localKeyFor('correct horse battery staple', unlock)
    if (E.isLeft(wrong)) throw new Error(wrong.left)
    expect(await openUnlock(wrong.right, ids, unlock)).to.deep.equal(E.left('unopened'))
  })
})
