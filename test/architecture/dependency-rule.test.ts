import { expect } from 'chai'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

/**
 * The dependency rule is enforced by lint; these tests prove the lint rule bites, so a config change that
 * silently disables it fails the build.
 */
const lintAs = async (filePath: string, code: string): Promise<string[]> => {
  // The probe files do not exist, so the type-aware rules are switched off; the import rules need no types.
  const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: [tseslint.configs.disableTypeChecked] })
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`)
}

const restricted = (messages: string[]) => messages.filter((m) => m.startsWith('no-restricted'))

describe('the dependency rule', function () {
  this.timeout(60_000)

  it('refuses frameworks, I/O and outer rings in domain/', async () => {
    const code = [
      "import Koa from 'koa'",
      "import { readFileSync } from 'node:fs'",
      "import { makeUseCases } from '../application/zkeb'",
      'export const probe = [Koa, readFileSync, makeUseCases]',
    ].join('\n')
    expect(restricted(await lintAs('domain/probe.ts', code))).to.have.length(3)
  })

  it('refuses adapters, the clock and randomness in application/', async () => {
    const code = [
      "import { createKnex } from '../adapters/persistence/knex/create-knex'",
      'export const probe = [createKnex, new Date(), Date.now(), Math.random()]',
    ].join('\n')
    expect(restricted(await lintAs('application/probe.ts', code))).to.have.length(4)
  })

  it('keeps inversify inside the composition root', async () => {
    const code = "import { Container } from 'inversify'\nexport const probe = Container\n"
    expect(restricted(await lintAs('adapters/http/probe.ts', code))).to.have.length(1)
    expect(restricted(await lintAs('adapters/composition/probe.ts', code))).to.have.length(0)
  })

  it('lets domain/ use fp-ts, io-ts and itself', async () => {
    const code = [
      "import * as E from 'fp-ts/Either'",
      "import * as t from 'io-ts'",
      "import { Uuid } from './ids'",
      'export const probe = [E.right(1), t.string, Uuid, new Date(0)]',
    ].join('\n')
    expect(restricted(await lintAs('domain/probe.ts', code))).to.deep.equal([])
  })
})
