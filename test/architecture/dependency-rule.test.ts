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
const zoned = (messages: string[]) => messages.filter((m) => m.startsWith('import-x/no-restricted-paths'))
const cycles = (messages: string[]) => messages.filter((m) => m.startsWith('import-x/no-cycle'))

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

  it('resolves TypeScript paths, so the ring zones see an adapter imported from application/', async () => {
    const code =
      "import { createKnex } from '../adapters/persistence/knex/create-knex'\nexport const probe = createKnex\n"
    expect(zoned(await lintAs('application/probe.ts', code))).to.have.length(1)
  })

  it('keeps sibling adapters apart: only adapters/composition imports more than one', async () => {
    const knex =
      "import { createKnex } from '../persistence/knex/create-knex'\nexport const probe = createKnex\n"
    expect(zoned(await lintAs('adapters/http/probe.ts', knex))).to.have.length(1)
    expect(zoned(await lintAs('adapters/composition/probe.ts', knex))).to.deep.equal([])
    const deeper =
      "import { createRedis } from '../../cache/redis/create-redis'\nexport const probe = createRedis\n"
    expect(zoned(await lintAs('adapters/persistence/knex/probe.ts', deeper))).to.have.length(1)
    const root = "import { loadConfig } from '../composition/config'\nexport const probe = loadConfig\n"
    expect(zoned(await lintAs('adapters/observability/probe.ts', root))).to.have.length(1)
    const own = "import { sendError } from './respond'\nexport const probe = sendError\n"
    expect(zoned(await lintAs('adapters/http/probe.ts', own))).to.deep.equal([])
  })

  it('refuses an import that closes a cycle', async () => {
    // domain/backup.ts imports domain/ids.ts; ids.ts importing backup back closes the loop.
    const code = "import * as backup from './backup'\nexport const probe = backup\n"
    expect(cycles(await lintAs('domain/ids.ts', code))).to.have.length(1)
    const acyclic = "import * as ids from './ids'\nexport const probe = ids\n"
    expect(cycles(await lintAs('domain/backup.ts', acyclic))).to.deep.equal([])
  })
})
