import { expect } from 'chai'
import { cyclesOf, importGraph, readSources } from './import-graph'

describe('import cycles', function () {
  this.timeout(60_000)
  const sources = readSources(process.cwd())

  it('reads the whole tree', () => {
    expect(sources.size).to.be.greaterThan(400)
    expect(sources.has('adapters/http/create-http-app.ts')).to.equal(true)
    expect(sources.has('web/src/sdk.ts')).to.equal(true)
  })

  // lint's import-x/no-cycle catches the runtime cycles as they are written; this also sees type-only ones.
  it('finds none, type imports included', () => {
    const found = cyclesOf(importGraph(sources)).map((cycle) => cycle.join(' ⇄ '))
    expect(found).to.deep.equal([])
  })

  it('finds a planted cycle made of a type import', () => {
    // domain/backup.ts imports domain/ids.ts; a type import back closes the loop.
    const planted = new Map(sources)
    planted.set('domain/ids.ts', `import type { Backup } from './backup'\n${sources.get('domain/ids.ts')}`)
    const found = cyclesOf(importGraph(planted))
    expect(
      found.filter((cycle) => cycle.includes('domain/ids.ts') && cycle.includes('domain/backup.ts')),
    ).to.have.length(1)
  })
})
