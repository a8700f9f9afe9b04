import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import pino from 'pino'
import { loadConfig, StartupError } from '../../../adapters/composition'
import { startRuntime } from '../../../adapters/composition/runtime'
import { testOpaqueServerSetup } from '../../support/in-memory-zkeb'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

/** `url` signed in as `user` (trust or the given password). */
const as = (url: string, user: string, password: string): string => {
  const parsed = new URL(url)
  parsed.username = user
  parsed.password = password
  return parsed.toString()
}

describe('the application database role is checked before serving (PostgreSQL)', function () {
  this.timeout(60_000)
  let db: TestDatabase
  let dataDir: string
  const roles: string[] = []

  before(async () => {
    db = await createTestDatabase()
    dataDir = await mkdtemp(join(tmpdir(), 'zkeb-app-role-'))
  })
  after(async () => {
    for (const role of roles) await db.ownerKnex.raw(`drop owned by ${role}; drop role if exists ${role}`)
    await db?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  /** A throwaway login role with `options`, allowed to connect and to use the schema like zkeb_app. */
  const aRole = async (options: string): Promise<string> => {
    const name = `zkeb_test_role_${randomBytes(4).toString('hex')}`
    const password = randomBytes(12).toString('hex')
    roles.push(name)
    await db.ownerKnex.raw(`create role ${name} login password '${password}' ${options}`)
    await db.ownerKnex.raw(`grant usage on schema zkeb to ${name}`)
    return as(db.ownerUrl, name, password)
  }

  const startWith = (appUrl: string) =>
    testOpaqueServerSetup().then((setup) =>
      startRuntime(
        loadConfig({
          NODE_ENV: 'test',
          DATA_DIR: dataDir,
          DATABASE_URL: db.ownerUrl,
          DATABASE_APP_URL: appUrl,
          TOKEN_SECRET: randomBytes(32).toString('hex'),
          OPAQUE_SERVER_SETUP: setup,
        }),
        pino({ level: 'silent' }),
      ),
    )

  const refusal = async (appUrl: string): Promise<string> => {
    try {
      const runtime = await startWith(appUrl)
      await runtime.close()
    } catch (e) {
      expect(e).to.be.instanceOf(StartupError)
      const message = (e as Error).message
      expect(message).not.to.include(appUrl)
      return message
    }
    return 'started'
  }

  it('starts as zkeb_app', async () => {
    const runtime = await startWith(db.appUrl)
    await runtime.close()
  })

  it('refuses the schema owner, a superuser', async () => {
    expect(await refusal(db.ownerUrl)).to.match(/superuser or a BYPASSRLS role/)
  })

  it('refuses a role with BYPASSRLS', async () => {
    expect(await refusal(await aRole('bypassrls'))).to.match(/superuser or a BYPASSRLS role/)
  })

  it('refuses a role that may SET ROLE to a superuser, even without INHERIT', async () => {
    const url = await aRole('noinherit')
    await db.ownerKnex.raw(`grant ${new URL(db.ownerUrl).username || 'postgres'} to ${roles.at(-1)!}`)
    expect(await refusal(url)).to.match(/superuser or a BYPASSRLS role/)
  })

  it('refuses a role that owns a table of the schema', async () => {
    const url = await aRole('')
    await db.ownerKnex.raw(`alter table zkeb.audit_events owner to ${roles.at(-1)!}`)
    try {
      expect(await refusal(url)).to.match(/owns \(or may act as the owner of\)/)
    } finally {
      await db.ownerKnex.raw(`alter table zkeb.audit_events owner to current_user`)
    }
  })
})
