/**
 * Tracing and Sentry start in composition/instrument.ts, before anything else loads, and only when
 * configured: without OTEL_EXPORTER_OTLP_ENDPOINT and SENTRY_DSN not one of their SDK modules is required.
 * With SENTRY_DSN, a bug reaches a real (loopback) Sentry ingest endpoint scrubbed, with release = version.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { readVersion } from '../../../adapters/composition/version'
import { startHttpCollector } from './collectors'

const root = path.resolve(__dirname, '../../..')
const probe = 'test/adapters/observability/fixtures/instrument-probe.ts'

const runProbe = async (env: Record<string, string>) => {
  const clean: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...env }
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'SENTRY_DSN']) if (!(name in env)) delete clean[name]
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), [probe], {
    cwd: root,
    env: clean,
    timeout: 60_000,
  })
  return JSON.parse(stdout) as { tracing: boolean; errors: boolean; loaded: number }
}

describe('tracing and error reporting, started first and only when configured', function () {
  this.timeout(90_000)

  it('loads no OpenTelemetry SDK or Sentry module when neither is configured', async () => {
    expect(await runProbe({})).to.deep.equal({ tracing: false, errors: false, loaded: 0 })
  })

  it('starts both when configured', async () => {
    const collector = await startHttpCollector()
    try {
      const started = await runProbe({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        SENTRY_DSN: `${collector.url.replace('//', '//public@')}/1`,
      })
      expect(started).to.include({ tracing: true, errors: true })
      expect(started.loaded).to.be.greaterThan(0)
    } finally {
      await collector.close()
    }
  })

  it('sends a bug to Sentry with its type, frames, release and route, without its message', async () => {
    const collector = await startHttpCollector()
    const secret = `secret-${Date.now()}-value`
    try {
      await runProbe({ SENTRY_DSN: `${collector.url.replace('//', '//public@')}/1`, PROBE_SECRET: secret })
      const envelopes = collector.received.filter((r) => r.path.startsWith('/api/1/envelope'))
      expect(envelopes, 'an envelope at the ingest endpoint').to.have.length.greaterThan(0)
      const sent = envelopes.map((r) => r.body).join('\n')
      expect(sent).to.include('SyntaxError').and.to.include('/api/v1/account').and.to.include('probe-request')
      expect(sent).to.include(`"release":"${readVersion()}"`)
      expect(sent).not.to.include(secret)
    } finally {
      await collector.close()
    }
  })
})
