/** Methods a path does not take, known to the router or not: 405 method-not-allowed in api-v1's shape. */
import { expect } from 'chai'
import { expectError, type TestServer, startTestServer } from './http-test-kit'

describe('HTTP api-v1: methods a path does not take @memory', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  const allowOf = (res: Response): string[] =>
    (res.headers.get('allow') ?? '').split(',').map((method) => method.trim())

  for (const method of ['PROPFIND', 'SEARCH', 'MKCOL']) {
    it(`answers ${method} on /api/v1/backups with 405 and the methods it takes`, async () => {
      const res = await server.call(method, '/api/v1/backups')
      expect(allowOf(res)).to.include.members(['GET', 'HEAD'])
      const error = await expectError(res, 405, 'method-not-allowed')
      expect(error.retryable).to.equal(false)
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff')
    })
  }

  it('answers a known method on a path that does not take it with 405 and Allow', async () => {
    const res = await server.call('PUT', '/api/v1/backups')
    expect(allowOf(res)).to.include.members(['GET', 'HEAD'])
    await expectError(res, 405, 'method-not-allowed')
    const uploads = await server.call('GET', '/api/v1/uploads')
    expect(allowOf(uploads)).to.include.members(['OPTIONS', 'POST'])
    await expectError(uploads, 405, 'method-not-allowed')
  })

  it('answers 405 on the resumable uploads too, whatever the method', async () => {
    const res = await server.call('PROPFIND', '/api/v1/uploads')
    expect(allowOf(res)).to.include.members(['OPTIONS', 'POST'])
    await expectError(res, 405, 'method-not-allowed')
  })

  it('answers an unknown method on a path that does not exist with 404 not-found', async () => {
    const res = await server.call('PROPFIND', '/api/v1/nothing-here')
    expect(res.headers.get('allow')).to.equal(null)
    await expectError(res, 404, 'not-found')
  })
})
