/**
 * The Dockerfile replayed without Docker (ops/image-stages.ts): its stages build, the production stage boots
 * as the `node` user, passes its own HEALTHCHECK and exits 0 on SIGTERM; and the replay fails when the
 * compiled code needs a package the production stage does not install. Each run takes about 1.5 min.
 * Needs PostgreSQL (TEST_DATABASE_URL), psql and redis-server: without them it skips locally, fails in CI.
 */
import { expect } from 'chai'
import { execFile, spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')

const replay = (env: Record<string, string> = {}) =>
  new Promise<{ status: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'ops/image-stages.ts'],
      { cwd: root, env: { ...process.env, ...env }, timeout: 290_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ status, output: `${stdout}${stderr}` })
      },
    )
  })

describe('ops: the Dockerfile replayed without a Docker engine', function () {
  this.timeout(300_000)

  before(function () {
    const missing = [
      process.env['TEST_DATABASE_URL'] ? null : 'TEST_DATABASE_URL',
      ...['psql', 'redis-server', 'redis-cli'].filter((tool) => spawnSync(tool, ['--version']).status !== 0),
    ].filter((item) => item !== null)
    if (missing.length === 0) return
    if (process.env['CI']) throw new Error(`the image replay needs ${missing.join(', ')}`)
    this.skip()
  })

  it('builds every stage, boots the production stage, passes its HEALTHCHECK and exits 0 on SIGTERM', async () => {
    const { status, output } = await replay()
    expect(status, output).to.equal(0)
    for (const step of [
      'RUN npm ci --no-audit --no-fund',
      'RUN npm run build:web',
      'RUN npm ci --omit=dev',
      'CMD ["node","dist/adapters/composition/main.js"]',
      'HEALTHCHECK passed',
      'GET /api/health 200',
      'exited 0 after SIGTERM',
    ]) {
      expect(output, output).to.include(`image-stages: ${step}`)
    }
    expect(output).to.match(/image-stages: CMD .* as node\n/)
  })

  it('fails when the compiled server imports a package the production stage does not install', async () => {
    // sinon is a devDependency: the build stage compiles the import, `npm ci --omit=dev` leaves it out.
    const { status, output } = await replay({
      IMAGE_STAGES_APPEND: "adapters/composition/main.ts:import 'sinon'",
    })
    expect(status, output).to.equal(1)
    expect(output).to.include("Cannot find module 'sinon'")
    expect(output).to.include('image-stages: FAILED: the HEALTHCHECK never passed')
  })
})
