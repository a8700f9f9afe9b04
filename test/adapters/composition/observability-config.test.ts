import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { decodeConfig, loadConfig } from '../../../adapters/composition/config'
import { wantsPrettyLogs } from '../../../adapters/composition/logger'

describe('observability configuration @memory', () => {
  it('turns every output off by default: nothing is exposed or sent unless set', () => {
    expect(loadConfig({}).observability).to.deep.equal({
      metricsPort: null,
      metricsToken: null,
      statsd: null,
      otlpEndpoint: null,
      sentryDsn: null,
      logHashKey: null,
    })
  })

  it('decodes METRICS_PORT, METRICS_TOKEN, STATSD_*, OTEL_EXPORTER_OTLP_ENDPOINT, SENTRY_DSN and LOG_HASH_KEY', () => {
    const token = 'm'.repeat(32)
    const config = loadConfig({
      METRICS_PORT: '9464',
      METRICS_TOKEN: token,
      STATSD_HOST: 'statsd.internal',
      STATSD_PORT: '8126',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      SENTRY_DSN: 'https://key@o1.ingest.sentry.io/2',
      LOG_HASH_KEY: 'k'.repeat(40),
    })
    expect(config.observability).to.deep.equal({
      metricsPort: 9464,
      metricsToken: token,
      statsd: { host: 'statsd.internal', port: 8126 },
      otlpEndpoint: 'http://otel-collector:4318',
      sentryDsn: 'https://key@o1.ingest.sentry.io/2',
      logHashKey: 'k'.repeat(40),
    })
    expect(loadConfig({ STATSD_HOST: 'localhost' }).observability.statsd).to.deep.equal({
      host: 'localhost',
      port: 8125,
    })
  })

  it('refuses a short METRICS_TOKEN or LOG_HASH_KEY and a non-HTTP endpoint, naming them without their values', () => {
    const result = decodeConfig({
      METRICS_TOKEN: 'short-token',
      LOG_HASH_KEY: 'short-key',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector',
      METRICS_PORT: 'x',
    })
    expect(E.isLeft(result)).to.equal(true)
    const errors = E.isLeft(result) ? result.left : []
    expect(errors.map((e) => e.variable)).to.have.members([
      'METRICS_TOKEN',
      'LOG_HASH_KEY',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'METRICS_PORT',
    ])
    expect(JSON.stringify(errors)).not.to.match(/short-token|short-key|grpc:/)
  })

  it('prints pretty logs only in development on a terminal', () => {
    expect(wantsPrettyLogs({ nodeEnv: 'development' }, true)).to.equal(true)
    expect(wantsPrettyLogs({ nodeEnv: 'development' }, false)).to.equal(false)
    expect(wantsPrettyLogs({ nodeEnv: 'production' }, true)).to.equal(false)
  })
})
