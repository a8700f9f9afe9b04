import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'

const sdkDir = join(__dirname, '..', '..', '..', 'client', 'sdk')

describe('client SDK portability', () => {
  it('uses web APIs only: no node:* imports, no Buffer, no process, no require', () => {
    const files = readdirSync(sdkDir).filter((f) => f.endsWith('.ts'))
    expect(files.length).to.be.greaterThan(10)
    for (const file of files) {
      const source = readFileSync(join(sdkDir, file), 'utf8')
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!)
      for (const spec of imports)
        expect(spec, `${file} imports ${spec}`).to.match(
          /^(\.\/|\.\.\/crypto$|\.\.\/snapshot\/keys$|\.\.\/\.\.\/domain\/|fp-ts\/|io-ts$|@noble\/hashes\/(sha2|utils)\.js$)/,
        )
      expect(source, file).not.to.match(/\bBuffer\b|\bprocess\.|\brequire\(/)
    }
  })
})
