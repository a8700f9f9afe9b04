/**
 * The web app's static files as Koa serves them beside api-v1: content types, ETag revalidation,
 * immutable caching of hashed assets only, the HTML's own CSP, and no reach outside the built folder.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createHttpApp, defaultHttpLimits } from '../../../adapters/http/create-http-app'
import { webAppContentSecurityPolicy } from '../../../adapters/http/middleware/web-app'
import { startHttpServer, type RunningHttpServer } from '../../../adapters/http/start-http-server'
import { loadWebAppFiles } from '../../../adapters/http/web-app-files'
import { inMemoryRateLimiter } from '../../../adapters/in-memory/in-memory-rate-limiter'
import { inMemoryZkeb } from '../../support/in-memory-zkeb'
import { looseRateLimits } from './http-test-kit'

describe('web app static files @memory', () => {
  let dir: string
  let running: RunningHttpServer
  let base: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zkeb-static-'))
    await mkdir(join(dir, 'assets'))
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>',
    )
    await writeFile(join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")')
    await writeFile(join(dir, 'assets', 'app-1a2b.js.map'), '{}')
    await writeFile(join(dir, 'favicon.svg'), '<svg/>')
    await writeFile(join(dir, '.env'), 'SECRET=1')
    const zkeb = await inMemoryZkeb()
    const app = createHttpApp({
      useCases: zkeb.useCases,
      rateLimiter: inMemoryRateLimiter(zkeb.clock),
      rateLimits: looseRateLimits,
      limits: defaultHttpLimits,
      version: 'static-test',
      trustProxy: false,
      webApp: await loadWebAppFiles(dir),
    })
    running = await startHttpServer(app, { port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${running.port}`
  })

  after(async () => {
    await running.close(1000)
    await rm(dir, { recursive: true, force: true })
  })

  it('serves index.html at / with its own strict CSP, revalidated on every load', async () => {
    const res = await fetch(base + '/')
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8')
    expect(res.headers.get('cache-control')).to.equal('no-cache')
    expect(res.headers.get('content-security-policy')).to.equal(webAppContentSecurityPolicy)
    expect(webAppContentSecurityPolicy).not.to.match(/'unsafe-inline'|'unsafe-eval'|\*|https?:/)
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff')
    expect(res.headers.get('x-frame-options')).to.equal('DENY')
    expect(await res.text()).to.include('/assets/app-1a2b.js')
  })

  it('caches hashed assets for a year as immutable, with the right content type', async () => {
    const res = await fetch(base + '/assets/app-1a2b.js')
    expect(res.status).to.equal(200)
    expect(res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable')
    expect(res.headers.get('content-security-policy')).to.equal("default-src 'none'; frame-ancestors 'none'")
    expect((await fetch(base + '/favicon.svg')).headers.get('content-type')).to.equal('image/svg+xml')
  })

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const first = await fetch(base + '/assets/app-1a2b.js')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).to.match(/^"[A-Za-z0-9_-]{27}"$/)
    const again = await fetch(base + '/assets/app-1a2b.js', { headers: { 'If-None-Match': etag } })
    expect(again.status).to.equal(304)
    expect(await again.text()).to.equal('')
    const head = await fetch(base + '/', { method: 'HEAD' })
    expect(head.status).to.equal(200)
    expect(head.headers.get('etag')).to.match(/^"/)
  })

  it('serves no dotfile, no source map and nothing outside the folder; the API keeps its headers', async () => {
    for (const path of [
      '/.env',
      '/assets/app-1a2b.js.map',
      '/../package.json',
      '/%2e%2e/package.json',
      '/nope.js',
    ]) {
      const res = await fetch(base + path)
      expect(res.status, path).to.equal(404)
      expect(res.headers.get('content-type'), path).to.match(/application\/json/)
    }
    const health = await fetch(base + '/api/health')
    expect(health.headers.get('content-security-policy')).to.equal(
      "default-src 'none'; frame-ancestors 'none'",
    )
    expect(health.headers.get('cache-control')).to.equal('no-store')
    const post = await fetch(base + '/', { method: 'POST' })
    expect(post.status).to.be.oneOf([404, 405])
  })
})
