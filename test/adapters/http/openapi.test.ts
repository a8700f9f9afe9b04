import { expect } from 'chai'
import { defaultHttpLimits } from '../../../adapters/http/create-http-app'
import { silentLogger } from '../../../adapters/http/http-types'
import { defaultRateLimitRules } from '../../../adapters/http/middleware/rate-limit'
import { createApiRouter } from '../../../adapters/http/routes'
import { inMemoryRateLimiter } from '../../../adapters/in-memory/in-memory-rate-limiter'
import { inMemoryZkeb } from '../../support/in-memory-zkeb'
import { jsonOf, type TestServer, startTestServer } from './http-test-kit'

type Document = {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
  'x-zkeb-decisions': Record<string, unknown>
}

const routerOperations = async (): Promise<string[]> => {
  const zkeb = await inMemoryZkeb()
  const router = createApiRouter({
    useCases: zkeb.useCases,
    rateLimiter: inMemoryRateLimiter(zkeb.clock),
    rateLimits: defaultRateLimitRules,
    logger: silentLogger,
    limits: defaultHttpLimits,
    version: 'x',
    lifecycle: () => 'ready',
  })
  return router.stack.flatMap((layer) =>
    layer.methods
      // Koa's router adds HEAD to every GET; a HEAD of its own (tus) is an operation of its own.
      .filter((method) => method !== 'HEAD' || !layer.methods.includes('GET'))
      .map((method) => `${method} ${String(layer.path).replace(/:([A-Za-z]+)/g, '{$1}')}`),
  )
}

const documentOperations = (doc: Document): string[] =>
  Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  )

describe('HTTP api-v1: the OpenAPI document', () => {
  let server: TestServer
  let doc: Document
  before(async () => {
    server = await startTestServer()
    doc = await jsonOf<Document>(await server.call('GET', '/api/openapi.json'))
  })
  after(() => server.close())

  it('is OpenAPI 3.1 served at /api/openapi.json', () => {
    expect(doc.openapi).to.equal('3.1.0')
  })

  it('describes exactly the routes the router serves', async () => {
    const served = await routerOperations()
    expect(served.length).to.be.greaterThan(20)
    expect([...documentOperations(doc)].sort()).to.deep.equal([...served].sort())
  })

  it('documents the decisions api-v1 leaves open', () => {
    expect(doc['x-zkeb-decisions']).to.include.keys(
      'passwordChange',
      'recovery',
      'cursors',
      'auditHash',
      'rateLimits',
      'errors',
    )
    // The test server runs loose limits: the document reports the configured rules, not the defaults.
    expect(doc['x-zkeb-decisions'].rateLimits).to.deep.include({ login: '10000 per 60 s (sliding window)' })
  })

  it('documents the fields added to api-v1: the recovery bundle and device public keys', () => {
    const { schemas } = (
      doc as unknown as { components: { schemas: Record<string, { required: string[] }> } }
    ).components
    expect(doc['x-zkeb-decisions']).to.include.keys('recoveryBundle', 'devicePublicKeys')
    expect(schemas.RecoveryStarted?.required).to.have.members([
      'recoveryToken',
      'recoveryWrappedUmk',
      'keyBundleVersion',
    ])
    expect(schemas.Device?.required).to.include('publicKey')
    const recoveryStart = doc.paths['/api/v1/account/recovery/start']?.post?.responses ?? {}
    expect(JSON.stringify(recoveryStart['200'])).to.include('#/components/schemas/RecoveryStarted')
    expect(JSON.stringify(recoveryStart['401'])).to.include('invalid-recovery-proof')
  })

  it('lists the error codes each operation can answer', () => {
    const upload = doc.paths['/api/v1/backups/{backupId}/content']?.put?.responses ?? {}
    expect(upload).to.include.keys('201', '400', '401', '403', '409', '413', '415', '422', '429', '503')
    expect(JSON.stringify(upload['422'])).to.include('bad-signature').and.include('content-hash-mismatch')
  })

  it('documents the edge answers: content codings, slow JSON bodies, tus failures', () => {
    const codesOf = (path: string, method: string, status: string): string[] =>
      ((doc.paths[path]?.[method]?.responses[status] ?? {}) as { 'x-error-codes'?: string[] })[
        'x-error-codes'
      ] ?? []
    for (const [path, method] of [
      ['/api/v1/backups/{backupId}/content', 'put'],
      ['/api/v1/uploads', 'post'],
      ['/api/v1/uploads/{uploadId}', 'patch'],
      ['/api/v1/sessions/finish', 'post'],
    ] as const)
      expect(codesOf(path, method, '415'), `${method} ${path}`).to.include('unsupported-content-encoding')
    expect(codesOf('/api/v1/sessions/finish', 'post', '408')).to.deep.equal(['request-timeout'])
    expect(codesOf('/api/v1/uploads/{uploadId}', 'patch', '412')).to.deep.equal(['tus-version-unsupported'])
    expect(codesOf('/api/v1/uploads/{uploadId}', 'patch', '415')).to.include('unsupported-media-type')
    expect(doc['x-zkeb-decisions']).to.include.keys('requestBodies')
    expect(String(doc['x-zkeb-decisions'].errors)).to.include('405 method-not-allowed')
    expect((doc['x-zkeb-decisions'].limits as Record<string, unknown>).jsonBodyTimeoutMs).to.equal(10_000)
  })

  it('resolves every schema reference', () => {
    const text = JSON.stringify(doc)
    const refs = [...text.matchAll(/"\$ref":"#\/components\/(schemas|headers)\/([^"]+)"/g)]
    const components = (doc as unknown as { components: Record<string, Record<string, unknown>> }).components
    for (const [, kind, name] of refs) expect(components[kind!], `${kind}/${name}`).to.have.property(name!)
  })
})
