import { expect } from 'chai'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { migrations } from '../../adapters/persistence/knex/migrator'

/** migrations/README.md: names sort in the order the migrations apply, and each file is listed once. */
describe('migration names', () => {
  const names = migrations.map((m) => m.name)

  it('are a timestamp and snake_case words', () => {
    for (const name of names) expect(name).to.match(/^\d{14}_[a-z0-9]+(_[a-z0-9]+)*$/)
  })

  it('sort in the order the migrations apply', () => {
    expect(names).to.deep.equal([...names].sort())
    expect(new Set(names).size).to.equal(names.length)
  })

  it('are exactly the files in migrations/', () => {
    const files = readdirSync(path.join(__dirname, '../../migrations'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -'.ts'.length))
    expect(files.sort()).to.deep.equal(names)
  })
})
