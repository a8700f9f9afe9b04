import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { EnvCodec } from '../../../adapters/composition/config'
import { configurationDoc, configurationDocPath } from '../../../adapters/composition/config-docs'

const committed = readFileSync(path.resolve(__dirname, '../../..', configurationDocPath), 'utf8')

describe('docs/configuration.md', () => {
  it('is what the configuration codec generates (run `npm run docs:config` after changing a variable)', () => {
    expect(committed, 'docs/configuration.md differs from the codec').to.equal(configurationDoc())
  })

  it('documents every variable the server reads, and no other', () => {
    const documented = [...committed.matchAll(/^### `([A-Z0-9_]+)`$/gm)].map((m) => m[1])
    expect(documented).to.have.members(Object.keys(EnvCodec.props))
    expect(documented).to.have.lengthOf(Object.keys(EnvCodec.props).length)
  })

  it('gives every variable a default and a meaning', () => {
    for (const section of committed.split(/^### /m).slice(1)) {
      expect(section, section.split('\n')[0]).to.match(/\n- Default: \S.*\n- Accepts: \S/)
      expect(section.split('\n\n')[1]?.trim(), section.split('\n')[0]).to.have.length.greaterThan(10)
    }
  })
})
