import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { aPassword, aServer, aUsername } from '../sdk/sdk-kit'
import { aCliUser, type CliUser } from './cli-kit'

type WhoAmI = { server: string; serverSource: string; username: string }

describe('zkeb keeps a default server: --server, then ZKEB_SERVER, then config.json, then the built-in one', function () {
  this.timeout(30_000)
  let server: TestServer
  let user: CliUser
  const username = aUsername()
  const password = aPassword()
  const withPassword = (env: Record<string, string> = {}) => ({ env: { ZKEB_PASSWORD: password, ...env } })
  const whoami = async (argv: string[] = [], env: Record<string, string> = {}) => {
    const result = await user.run(['whoami', '--json', ...argv], withPassword(env))
    expect(result.code, result.stderr).to.equal(0)
    return JSON.parse(result.stdout) as WhoAmI
  }
  const configFile = () => join(user.configDir, 'config.json')

  before(async () => {
    server = await aServer()
    user = aCliUser(server.base, { serverInEnv: false })
  })
  after(() => server.close())

  it('keeps the server register talked to in config.json (0600), so later commands need no --server', async () => {
    const registered = await user.run(['register', username, '--server', server.base], withPassword())
    expect(registered.code, registered.stderr).to.equal(0)
    expect(JSON.parse(readFileSync(configFile(), 'utf8'))).to.deep.equal({ server: server.base })
    expect(statSync(configFile()).mode & 0o777).to.equal(0o600)
    expect(await whoami()).to.include({ username, server: server.base, serverSource: 'config' })
    const text = await user.run(['whoami'], withPassword())
    expect(text.stdout).to.include(`on ${server.base} (from config.json), device`)
  })

  it('says where the server came from: --server over ZKEB_SERVER over config.json', async () => {
    expect(await whoami([], { ZKEB_SERVER: server.base })).to.include({ serverSource: 'env' })
    const elsewhere = { ZKEB_SERVER: 'http://127.0.0.1:1' }
    expect(await whoami(['--server', server.base], elsewhere)).to.include({ serverSource: 'flag' })
  })

  it('never sends the kept session to another server: exit 3, naming both', async () => {
    const requested: string[] = []
    const fetch = (url: string) => (requested.push(url), Promise.reject(new Error('no')))
    const result = await user.run(['ls'], { ...withPassword({ ZKEB_SERVER: 'http://127.0.0.1:1' }), fetch })
    expect(result.code).to.equal(3)
    expect(result.stderr).to.equal(
      `zkeb: not logged in on http://127.0.0.1:1 (from ZKEB_SERVER): this machine is logged in on ${server.base}; ` +
        'run `zkeb login USERNAME --server http://127.0.0.1:1` to switch\n',
    )
    expect(requested).to.deep.equal([])
  })

  it('logs back in with the kept server after state.json is removed', async () => {
    rmSync(join(user.configDir, 'state.json'))
    const login = await user.run(['login', username], withPassword())
    expect(login.code, login.stderr).to.equal(0)
    expect(await whoami()).to.include({ serverSource: 'config' })
  })

  it('uses the server of a state written before config.json existed', async () => {
    rmSync(configFile())
    expect(await whoami()).to.include({ server: server.base, serverSource: 'state' })
  })

  it('falls back to http://localhost:3000 with no flag, variable, config or state', async () => {
    const fresh = aCliUser(server.base, { serverInEnv: false })
    const requested: string[] = []
    const fetch = (url: string) => (requested.push(url), Promise.reject(new Error('nothing listens')))
    const result = await fresh.run(['register', aUsername()], { ...withPassword(), fetch })
    expect(result.code).to.equal(9)
    expect(requested[0]).to.match(/^http:\/\/localhost:3000\/api\/v1\//)
  })

  it('refuses a config.json that does not parse with exit 10, naming it', async () => {
    writeFileSync(configFile(), '{"server": 3000}')
    const result = await user.run(['whoami'], withPassword())
    expect(result.code).to.equal(10)
    expect(result.stderr).to.equal(`zkeb: ${configFile()} is not a valid config file; fix or remove it\n`)
  })
})
