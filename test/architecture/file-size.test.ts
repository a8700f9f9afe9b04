import { expect } from 'chai'
import { readSources } from './import-graph'

/** Small files keep each module one idea a reader can hold; tests may run longer (a suite reads top to bottom). */
const limit = 250

const linesOf = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0)

describe('file size', () => {
  it(`keeps every source file outside test/ within ${limit} lines`, () => {
    const over = [...readSources(process.cwd())]
      .filter(([file]) => !file.startsWith('test/'))
      .filter(([, text]) => linesOf(text) > limit)
      .map(([file, text]) => `${file}: ${linesOf(text)}`)
    expect(over).to.deep.equal([])
  })

  it('counts lines as wc -l does', () => {
    expect(linesOf('a\nb\n')).to.equal(2)
    expect(linesOf(`${'x\n'.repeat(limit + 1)}`)).to.be.greaterThan(limit)
  })
})
