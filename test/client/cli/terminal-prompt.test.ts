import { expect } from 'chai'
import { startRealZkebServer, type RealZkebServer } from '../../support/real-zkeb-server'
import { aPassword, aUsername } from '../sdk/sdk-kit'
import { aTempDir } from './cli-kit'
import { zkebInTerminal, type Terminal } from './terminal-kit'

/** Waits for each prompt in turn and types its answer, then resolves to the exit code. */
const answer = async (terminal: Terminal, answers: ReadonlyArray<[RegExp, string]>) => {
  for (const [prompt, keys] of answers) {
    await terminal.waitFor(prompt)
    terminal.type(keys)
  }
  return terminal.exited
}

describe('zkeb at a real terminal: passwords and recovery keys typed at the prompt', function () {
  this.timeout(120_000)
  let server: RealZkebServer
  let env: Record<string, string>
  const username = aUsername()
  let password = aPassword()
  let recoveryKey = ''
  const run = (...args: string[]) => zkebInTerminal(args, env)
  const expectNoEcho = (terminal: Terminal, ...secrets: string[]) => {
    for (const secret of secrets)
      expect(terminal.screen(), 'a typed secret was echoed').not.to.include(secret)
  }

  before(async () => {
    server = await startRealZkebServer()
    env = { ZKEB_CONFIG_DIR: aTempDir('zkeb-tty-'), ZKEB_SERVER: server.base, HOME: aTempDir('zkeb-home-') }
  })
  after(() => server.close())

  it('registers with the new password typed twice, echoing neither', async () => {
    const terminal = run('register', username)
    const code = await answer(terminal, [
      [/New password: ?/, `${password}\r`],
      [/Repeat[^:]*: ?/, `${password}\r`],
    ])
    expect(code, terminal.screen()).to.equal(0)
    expect(terminal.screen()).to.include(`Registered ${username}`)
    recoveryKey = /([A-Z2-7]{4}-){13}[A-Z2-7]{4}/.exec(terminal.screen())![0]
    expectNoEcho(terminal, password)
  })

  it('unlocks a command with the password typed, Backspace included', async () => {
    const terminal = run('whoami')
    const code = await answer(terminal, [[/Password: ?/, `${password}x\x7f\r`]])
    expect(code, terminal.screen()).to.equal(0)
    expect(terminal.screen()).to.include(`${username} (account`)
    expectNoEcho(terminal, password)
  })

  it('refuses a wrong typed password with exit 4', async () => {
    const terminal = run('quota')
    expect(await answer(terminal, [[/Password: ?/, 'not-the-password\r']])).to.equal(4)
    expect(terminal.screen()).to.include('wrong username or password')
    expectNoEcho(terminal, 'not-the-password')
  })

  it('changes the password: the current one, then the new one twice pasted in one go', async () => {
    const newPassword = aPassword()
    const terminal = run('passwd')
    const code = await answer(terminal, [
      [/Password: ?/, `${password}\r`],
      [/New password: ?/, `${newPassword}\r${newPassword}\r`],
    ])
    expect(code, terminal.screen()).to.equal(0)
    expectNoEcho(terminal, password, newPassword)
    password = newPassword
  })

  it('logs out and back in with typed passwords', async () => {
    const out = run('logout')
    expect(await answer(out, [[/Password: ?/, `${password}\r`]]), out.screen()).to.equal(0)
    const terminal = run('login', username)
    expect(await answer(terminal, [[/Password: ?/, `${password}\r`]]), terminal.screen()).to.equal(0)
    expect(terminal.screen()).to.include(`Logged in as ${username}`)
    expectNoEcho(out, password)
    expectNoEcho(terminal, password)
  })

  it('recovers with the recovery key and a new password typed, echoing none of them', async () => {
    const newPassword = aPassword()
    const terminal = run('recover', username)
    const code = await answer(terminal, [
      [/Recovery key: ?/, `${recoveryKey}\r`],
      [/New password: ?/, `${newPassword}\r`],
      [/Repeat[^:]*: ?/, `${newPassword}\r`],
    ])
    expect(code, terminal.screen()).to.equal(0)
    expect(terminal.screen()).to.include(`Recovered ${username}`)
    expectNoEcho(terminal, newPassword, recoveryKey)
    password = newPassword
  })

  it('says the input ended, exit 2, when Ctrl-D is typed at the prompt', async () => {
    const terminal = run('whoami')
    expect(await answer(terminal, [[/Password: ?/, '\x04']])).to.equal(2)
    expect(terminal.screen()).to.match(/zkeb: no password: the input ended/)
  })

  it('refuses two different entries of a new password with exit 2', async () => {
    const terminal = run('register', aUsername())
    const code = await answer(terminal, [
      [/New password: ?/, 'first-entry-123\r'],
      [/Repeat[^:]*: ?/, 'second-entry-456\r'],
    ])
    expect(code).to.equal(2)
    expect(terminal.screen()).to.include('the two entries differ')
    expectNoEcho(terminal, 'first-entry-123', 'second-entry-456')
  })

  it('stops at Ctrl-C like any program interrupted at a terminal (SIGINT, exit 130)', async () => {
    const terminal = run('whoami')
    expect(await answer(terminal, [[/Password: ?/, 'half-typed\x03']])).to.equal(130)
    expectNoEcho(terminal, 'half-typed')
  })
})
