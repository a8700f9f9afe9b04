import { expect } from 'chai'
import type { ErrorEvent } from '@sentry/node'
import { scrubAttributes } from '../../../adapters/observability/span-scrubbing'
import { scrubEvent } from '../../../adapters/observability/sentry-scrub'
import { censorSecrets } from '../../../adapters/observability/redaction'

describe('scrubbing of spans and error reports @memory', () => {
  it('drops query strings, secret headers and password-bearing SQL from span attributes', () => {
    const scrubbed = scrubAttributes({
      'url.path': '/api/v1/account',
      'url.query': 'token=secret-1',
      'http.url': 'http://h/api/v1/account?token=secret-2',
      'http.target': '/api/v1/account?token=secret-3',
      'http.request.header.authorization': ['Bearer secret-4'],
      'http.request.header.zkeb_wrapped_key': ['secret-5'],
      'db.query.text': "alter role zkeb_app login password 'secret-6'",
      'db.statement': 'select * from zkeb.backups where account_id = $1',
      'exception.message': 'Unexpected token secret-7 in JSON',
      'http.response.status_code': 200,
    })
    const text = JSON.stringify(scrubbed)
    for (let i = 1; i <= 7; i++) expect(text).not.to.include(`secret-${i}`)
    expect(scrubbed).to.include({
      'url.path': '/api/v1/account',
      'http.url': 'http://h/api/v1/account',
      'db.statement': 'select * from zkeb.backups where account_id = $1',
      'http.response.status_code': 200,
    })
  })

  it('keeps an error report’s type, frames and tags, and removes request, user, extra, messages and breadcrumb data', () => {
    const event = {
      event_id: 'e1',
      release: '0.1.0',
      tags: { route: '/api/v1/account', requestId: 'r-1' },
      request: {
        url: 'http://h/api/v1/account?x=secret-1',
        headers: { authorization: 'Bearer secret-2' },
        data: 'secret-3',
      },
      user: { ip_address: '10.0.0.1', id: 'secret-4' },
      extra: { body: 'secret-5' },
      contexts: { runtime: { name: 'node' }, response: { body: 'secret-6' } },
      breadcrumbs: [
        { category: 'http', message: 'GET /x?token=secret-7', data: { url: 'secret-8' }, timestamp: 1 },
      ],
      exception: {
        values: [
          {
            type: 'SyntaxError',
            value: 'Unexpected token secret-9',
            stacktrace: {
              frames: [{ filename: 'a.js', function: 'f', lineno: 3, vars: { password: 'secret-10' } }],
            },
          },
        ],
      },
    } as unknown as ErrorEvent
    const scrubbed = scrubEvent(event)
    const text = JSON.stringify(scrubbed)
    for (let i = 1; i <= 10; i++) expect(text).not.to.include(`secret-${i}`)
    expect(scrubbed.exception?.values?.[0]).to.deep.include({ type: 'SyntaxError' })
    expect(scrubbed.exception?.values?.[0]?.stacktrace?.frames?.[0]).to.deep.equal({
      filename: 'a.js',
      function: 'f',
      lineno: 3,
    })
    expect(scrubbed).to.deep.include({
      release: '0.1.0',
      tags: { route: '/api/v1/account', requestId: 'r-1' },
    })
    expect(scrubbed.contexts).to.deep.equal({ runtime: { name: 'node' } })
    expect(scrubbed.breadcrumbs).to.deep.equal([{ category: 'http', timestamp: 1 }])
  })

  it('censors secret-named fields at any depth and survives cycles', () => {
    const cyclic: Record<string, unknown> = {
      keyBundle: { passwordWrappedUmk: 'secret' },
      deep: { a: { refreshToken: 't' } },
    }
    cyclic['self'] = cyclic
    expect(censorSecrets(cyclic)).to.deep.equal({
      keyBundle: '[redacted]',
      deep: { a: { refreshToken: '[redacted]' } },
      self: '[cycle]',
    })
  })
})
