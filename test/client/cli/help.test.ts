import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'chai'
import { parseArgs } from '../../../client/cli/args'
import { environment, globalEnv, globalOptions, type OptionSpec } from '../../../client/cli/command-spec'
import { commands } from '../../../client/cli/registry'
import { aCliUser } from './cli-kit'

const flagsOf = (o: OptionSpec): string[] => [o.long, ...(o.short === undefined ? [] : [o.short])]
const argvFor = (o: OptionSpec, flag: string = o.long): string[] =>
  o.value === undefined ? [flag] : [flag, 'some-value']

describe('zkeb help, from the registry every command contributes to', () => {
  /** No server: help must not need one (a request would fail the run with exit 9). */
  const user = aCliUser('http://127.0.0.1:1')
  const noNetwork = { fetch: () => Promise.reject(new Error('help made a request')) }

  it('lists every command, the global options, the environment and the exit codes in the overview', async () => {
    const help = await user.run(['--help'], noNetwork)
    expect(help.code).to.equal(0)
    expect(help.stdout).to.match(/^Usage: zkeb COMMAND/)
    for (const c of commands) {
      for (const line of c.usage) expect(help.stdout, c.name).to.include(`  ${line}`)
      expect(help.stdout, c.name).to.include(c.summary)
    }
    for (const o of globalOptions) expect(help.stdout).to.include(o.long)
    for (const name of Object.keys(environment)) expect(help.stdout).to.include(name)
    expect(help.stdout).to.include('Exit codes: 0 ok')
    expect((await user.run(['help'], noNetwork)).stdout).to.equal(help.stdout)
    const bare = await user.run([], noNetwork)
    expect([bare.code, bare.stdout]).to.deep.equal([2, help.stdout])
  })

  it('prints each command’s usage, arguments, options and environment, three ways, without a request', async () => {
    expect(commands.length).to.be.at.least(16)
    for (const c of commands) {
      const help = await user.run([c.name, '--help'], noNetwork)
      expect(help.code, c.name).to.equal(0)
      expect(help.stdout).to.match(new RegExp(`^Usage: zkeb ${c.name}\\b`))
      for (const line of c.usage) expect(help.stdout, c.name).to.include(`zkeb ${line}`)
      for (const [argument] of c.arguments ?? []) expect(help.stdout, c.name).to.include(`  ${argument} `)
      for (const o of [...(c.options ?? []), ...globalOptions])
        for (const flag of flagsOf(o)) expect(help.stdout, `${c.name} ${flag}`).to.include(flag)
      for (const name of [...(c.env ?? []), ...globalEnv])
        expect(help.stdout, `${c.name} ${name}`).to.include(`  ${name} `)
      expect(help.stdout, c.name).to.include(c.description.slice(0, 40))
      expect((await user.run([c.name, '-h'], noNetwork)).stdout, c.name).to.equal(help.stdout)
      expect((await user.run(['help', c.name], noNetwork)).stdout, c.name).to.equal(help.stdout)
    }
  })

  it('parses exactly the options a command’s help lists: its own and the global ones', async () => {
    for (const c of commands) {
      const own = [...(c.options ?? []), ...globalOptions]
      for (const o of own)
        for (const flag of flagsOf(o)) {
          const parsed = parseArgs([c.name, ...argvFor(o, flag)], own)
          const kept =
            o.value === undefined ? parsed.booleans.has(o.name) : parsed.values[o.name] === 'some-value'
          expect(kept, `${c.name} ${flag}`).to.equal(true)
        }
      const others = commands
        .flatMap((d) => d.options ?? [])
        .filter((o) => !own.some((m) => m.long === o.long))
      for (const o of others) {
        const refused = await user.run([c.name, 'x', ...argvFor(o)], noNetwork)
        expect(refused.code, `${c.name} ${o.long}`).to.equal(2)
        expect(refused.stderr).to.equal(`zkeb: unknown option ${o.long}\n`)
      }
    }
  })

  it('loads every command it dispatches to', () => {
    for (const c of commands) expect(c.load(), c.name).to.be.a('function')
  })

  it('exits 2 for help on an unknown command', async () => {
    for (const argv of [
      ['help', 'frobnicate'],
      ['frobnicate', '--help'],
    ]) {
      const result = await user.run(argv, noNetwork)
      expect(result.code).to.equal(2)
      expect(result.stderr).to.equal('zkeb: unknown command frobnicate; see zkeb --help\n')
    }
  })

  it('prints help without loading any command, the SDK or the crypto (the start stays short)', () => {
    const root = join(__dirname, '..', '..', '..')
    const script = `
      require('tsx/cjs/api').register()
      const { main } = require('./client/cli/main.ts')
      const out = { write: () => true }
      main(['whoami', '--help'], { stdout: out, stderr: out, env: {}, readSecret: async () => undefined }).then(() =>
        console.log(JSON.stringify(Object.keys(require.cache).map((f) => f.slice(${root.length + 1})))))`
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: root }).toString(),
    ) as string[]
    const heavy = loaded.filter((f) =>
      /client\/(sdk|crypto|cli\/commands)\/|@serenity-kit|hash-wasm|@noble/.test(f),
    )
    // The SDK's error descriptions are all main needs (to report a failure), and they import only fp-ts.
    expect(heavy).to.deep.equal(['client/sdk/errors.ts'])
  })
})
