import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername, someBytes } from '../sdk/sdk-kit'
import { aCliUser, aTempDir, type CliUser } from './cli-kit'

type Pushed = { backupId: string; name: string; size: number }

describe('zkeb, a whole journey against a real server', function () {
  this.timeout(30_000)
  let server: TestServer
  let user: CliUser
  const username = aUsername()
  let password = aPassword()
  let recoveryKey = ''
  const files = aTempDir('zkeb-files-')
  const out = aTempDir('zkeb-out-')
  const sizes = [0, 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1]
  let pushed: Pushed[] = []

  const ok = async (argv: string[], extra: { env?: Record<string, string>; secrets?: string[] } = {}) => {
    const result = await user.run(argv, { ...extra, env: { ZKEB_PASSWORD: password, ...extra.env } })
    expect(result.code, result.stderr).to.equal(0)
    return result
  }
  const pullAndCompare = async (p: Pushed, source: string) => {
    const target = join(out, `${p.backupId}.bin`)
    await ok(['pull', p.backupId, '-o', target])
    expect(readFileSync(target).equals(readFileSync(source)), p.name).to.equal(true)
  }

  before(async () => {
    server = await aServer()
    user = aCliUser(server.base)
    for (const size of sizes) writeFileSync(join(files, `f${size}.bin`), someBytes(size, size + 7))
    mkdirSync(join(files, 'folder', 'inner'), { recursive: true })
    writeFileSync(join(files, 'folder', 'a.txt'), 'alpha')
    writeFileSync(join(files, 'folder', 'inner', 'b.txt'), 'beta')
  })
  after(() => server.close())

  it('registers with a password typed twice, prints the recovery key once and keeps a 0600 state file', async () => {
    const result = await user.run(['register', username, '--json'], { secrets: [password, password] })
    expect(result.code, result.stderr).to.equal(0)
    const body = JSON.parse(result.stdout) as { recoveryKey: string; deviceId: string }
    recoveryKey = body.recoveryKey
    expect(recoveryKey).to.match(/^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/)
    const state = readFileSync(join(user.configDir, 'state.json'), 'utf8')
    expect(statSync(join(user.configDir, 'state.json')).mode & 0o777).to.equal(0o600)
    expect(state).to.include(body.deviceId)
    expect(state).not.to.include(password)
    expect(state).not.to.include(recoveryKey)
  })

  it('pushes files of 0 B, 1 B, 1 MiB−1, 1 MiB, 1 MiB+1 and a folder, and lists them by name', async () => {
    const paths = sizes.map((s) => join(files, `f${s}.bin`))
    const result = await ok(['push', ...paths, join(files, 'folder'), '--json'])
    pushed = JSON.parse(result.stdout) as Pushed[]
    expect(pushed.map((p) => p.name)).to.deep.equal([
      ...sizes.map((s) => `f${s}.bin`),
      'folder/a.txt',
      'folder/inner/b.txt',
    ])
    const listed = JSON.parse((await ok(['ls', '--json'])).stdout) as Array<{ metadata: { name: string } }>
    expect(listed.map((b) => b.metadata.name).sort()).to.deep.equal(pushed.map((p) => p.name).sort())
  })

  it('pulls every backup back byte for byte, to a file or into a folder under its own name', async () => {
    for (const [i, size] of sizes.entries()) await pullAndCompare(pushed[i]!, join(files, `f${size}.bin`))
    const intoFolder = aTempDir('zkeb-into-')
    await ok(['pull', pushed[5]!.backupId, '-o', intoFolder])
    expect(readFileSync(join(intoFolder, 'a.txt'), 'utf8')).to.equal('alpha')
  })

  it('moves a backup to the trash and restores it', async () => {
    const id = pushed[1]!.backupId
    await ok(['rm', id])
    expect((await ok(['ls'])).stdout).not.to.include(id)
    expect((await ok(['ls', '--trash'])).stdout).to.include(id)
    await ok(['restore', id])
    expect((await ok(['ls'])).stdout).to.include(id)
  })

  it('rotates the keys with the recovery key, after which every backup still pulls and keeps its name', async () => {
    const rotated = await ok(['rotate-keys'], { env: { ZKEB_RECOVERY_KEY: recoveryKey } })
    expect(rotated.stdout).to.include('.zkeb-keyring')
    const listed = JSON.parse((await ok(['ls', '--json'])).stdout) as Array<{
      backupId: string
      metadata: { name: string } | null
    }>
    for (const p of pushed)
      expect(listed.find((b) => b.backupId === p.backupId)?.metadata?.name).to.equal(p.name)
    await pullAndCompare(pushed[4]!, join(files, `f${sizes[4]}.bin`))
    await pullAndCompare(pushed[0]!, join(files, 'f0.bin'))
  })

  it('changes the password: the old one is refused with exit 4, the new one works', async () => {
    const next = aPassword()
    await ok(['passwd'], { env: { ZKEB_NEW_PASSWORD: next } })
    const refused = await user.run(['whoami'], { env: { ZKEB_PASSWORD: password } })
    expect(refused.code).to.equal(4)
    expect(refused.stderr).to.equal('zkeb: wrong username or password\n')
    password = next
    expect((await ok(['whoami'])).stdout).to.include(username)
  })

  it('recovers with the recovery key and a new password, keeping this device and its backups', async () => {
    const next = aPassword()
    await ok(['recover'], { env: { ZKEB_RECOVERY_KEY: recoveryKey, ZKEB_NEW_PASSWORD: next } })
    password = next
    await pullAndCompare(pushed[3]!, join(files, `f${sizes[3]}.bin`))
    const devices = JSON.parse((await ok(['devices', '--json'])).stdout) as Array<{ current: boolean }>
    expect(devices.filter((d) => d.current)).to.have.length(1)
  })

  it('shows the quota and an audit trail whose hash chain verifies', async () => {
    const quota = JSON.parse((await ok(['quota', '--json'])).stdout) as { usedBytes: number }
    expect(quota.usedBytes).to.be.greaterThan(3 * 1024 * 1024)
    const audit = await ok(['audit'])
    expect(audit.stdout).to.match(/hash chain verified/)
    for (const type of ['registered', 'backup-uploaded', 'key-rotated', 'password-changed', 'recovered'])
      expect(audit.stdout).to.include(type)
  })

  it('logs out (the kept session ends, the device key stays); commands then exit 3', async () => {
    await ok(['logout'])
    const after = await user.run(['ls'], { env: { ZKEB_PASSWORD: password } })
    expect(after.code).to.equal(3)
    expect(after.stderr.trim().split('\n')).to.have.length(1)
  })
})
