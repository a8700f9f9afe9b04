import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import { resticRepositoryUrl } from '../../../client/sdk'
import { aPassword, aServer, aUsername } from '../sdk/sdk-kit'
import { aCliUser, type CliUser } from './cli-kit'

describe('zkeb restic-token', function () {
  this.timeout(30_000)
  let server: TestServer
  let user: CliUser
  const username = aUsername()
  const password = aPassword()
  const run = (argv: string[]) => user.run(argv, { env: { ZKEB_PASSWORD: password } })

  before(async () => {
    server = await aServer()
    user = aCliUser(server.base)
    const registered = await user.run(['register', username], { secrets: [password, password] })
    expect(registered.code, registered.stderr).to.equal(0)
  })
  after(() => server.close())

  it('creates a token and prints it once inside a ready RESTIC_REPOSITORY line', async () => {
    const created = await run(['restic-token', 'create', '--append-only', '--repo', 'photos'])
    expect(created.code, created.stderr).to.equal(0)
    expect(created.stdout).to.match(/an append-only restic token [0-9a-f-]{36}/)
    const line = /export RESTIC_REPOSITORY='(rest:[^']+)'/.exec(created.stdout)?.[1]
    expect(line).to.match(
      new RegExp(`^rest:http://${username}:[A-Za-z0-9_-]{43}@127\\.0\\.0\\.1:\\d+/restic/photos/$`),
    )
  })

  it('lists tokens with their repository, without secrets, and revokes one', async () => {
    const created = JSON.parse((await run(['restic-token', 'create', '--json'])).stdout) as {
      tokenId: string
      token: string
      repo: string | null
    }
    expect(created.repo).to.equal(null)
    const listed = await run(['restic-token', 'ls'])
    expect(listed.stdout).to.include(`${created.tokenId}  full  any repository`)
    expect(listed.stdout).to.match(/append-only {2}repository photos {2}created/)
    const json = JSON.parse((await run(['restic-token', 'ls', '--json'])).stdout) as Array<{ repo: unknown }>
    expect(json.map((t) => t.repo).sort()).to.deep.equal([null, 'photos'].sort())
    expect(listed.stdout).not.to.include(created.token)
    expect((await run(['restic-token', 'revoke', created.tokenId])).code).to.equal(0)
    expect((await run(['restic-token', 'ls'])).stdout).not.to.include(created.tokenId)
    const again = await run(['restic-token', 'revoke', created.tokenId])
    expect(again.code).to.equal(5)
  })

  it('refuses a repository name restic reserves, before sending anything', async () => {
    const refused = await run(['restic-token', 'create', '--repo', 'config'])
    expect(refused.code).to.equal(2)
    expect(refused.stderr).to.match(/--repo/)
  })

  it('answers usage errors with exit code 2', async () => {
    for (const argv of [['restic-token'], ['restic-token', 'nope'], ['restic-token', 'revoke']])
      expect((await run(argv)).code, argv.join(' ')).to.equal(2)
  })

  it('builds repository URLs with the credentials percent-encoded', () => {
    expect(resticRepositoryUrl('https://zkeb.example/', 'a+b@c', 'tok', 'main')).to.equal(
      'rest:https://a%2Bb%40c:tok@zkeb.example/restic/main/',
    )
  })
})
