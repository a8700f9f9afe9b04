import { expect } from 'chai'
import { parseByteSize } from '../../../adapters/admin-cli/byte-size'

describe('zkeb-admin sizes (account quota)', () => {
  it('reads plain bytes and decimal and binary units exactly, letter case ignored', () => {
    const sizes: Array<[string, number]> = [
      ['0', 0],
      ['1048576', 1_048_576],
      ['7B', 7],
      ['1KB', 1000],
      ['1kib', 1024],
      ['3 MB', 3_000_000],
      ['3MiB', 3 * 1024 ** 2],
      ['10GiB', 10 * 1024 ** 3],
      ['1GB', 1e9],
      ['1.1GB', 1_100_000_000],
      ['0.5KiB', 512],
      ['2TB', 2e12],
      ['2TiB', 2 * 1024 ** 4],
      [' 5 gb ', 5e9],
      ['8191TiB', 8191 * 1024 ** 4],
    ]
    for (const [text, bytes] of sizes) expect(parseByteSize(text), text).to.equal(bytes)
  })

  it('refuses what is not a whole number of bytes, an unknown unit, or too large a size', () => {
    const refused = ['', 'lots', '-1', '1.5B', '0.1KiB', '1e9', '10XB', '10 GiBs', '1,5GB', '0x10', '8192TiB']
    for (const text of refused) expect(parseByteSize(text), text).to.equal(null)
  })
})
