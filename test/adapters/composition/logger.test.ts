import { expect } from 'chai'
import { Writable } from 'node:stream'
import { createLogger } from '../../../adapters/composition/logger'

const capture = () => {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { lines, destination }
}

describe('the process logger', () => {
  it('redacts credentials, tokens and key material wherever a log call carries them', () => {
    const { lines, destination } = capture()
    const logger = createLogger({ level: 'info', destination })
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer secret-access-token', 'zkeb-wrapped-key': 'wrapped-key-bytes' },
        },
        refreshToken: 'secret-refresh-token',
        account: { keyBundle: { passwordWrappedUmk: 'umk-bytes' }, username: 'alice' },
        body: { ciphertext: 'cipher-bytes' },
      },
      'request',
    )
    const line = lines.join('')
    for (const secret of [
      'secret-access-token',
      'wrapped-key-bytes',
      'secret-refresh-token',
      'umk-bytes',
      'cipher-bytes',
    ])
      expect(line).not.to.include(secret)
    expect(line).to.include('[redacted]').and.to.include('alice')
  })

  it('writes nothing below its level', () => {
    const { lines, destination } = capture()
    createLogger({ level: 'warn', destination }).info('ignored')
    expect(lines).to.deep.equal([])
  })
})
