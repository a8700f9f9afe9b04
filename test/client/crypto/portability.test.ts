import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'

const cryptoDir = join(__dirname, '..', '..', '..', 'client', 'crypto')

describe('client crypto portability', () => {
  it('uses web APIs only: no node:* or built-in module imports, no Buffer, no process, no require', () => {
    const files = readdirSync(cryptoDir).filter((f) => f.endsWith('.ts'))
    expect(files.length).to.be.greaterThan(10)
    for (const file of files) {
      const source = readFileSync(join(cryptoDir, file), 'utf8')
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!)
      for (const spec of imports) {
        expect(spec, `${file} imports ${spec}`).to.match(
          /^(\.\/|\.\.\/\.\.\/domain\/|fp-ts\/|io-ts$|@serenity-kit\/opaque$)/,
        )
      }
      expect(source, file).not.to.match(/\bBuffer\b|\bprocess\.|\brequire\(/)
    }
  })
})
