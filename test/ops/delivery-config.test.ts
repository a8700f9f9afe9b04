import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { blockingFindings } from '../../ops/audit-gate'
import { shard, specFiles, tierOf } from '../../ops/test-shards'
import { startTestServer } from '../adapters/http/http-test-kit'

const root = path.resolve(__dirname, '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

type Step = { uses?: string; run?: string; env?: Record<string, string> }
type Job = {
  permissions?: Record<string, string>
  needs?: string | string[]
  if?: string
  environment?: string
  concurrency?: { group: string; 'cancel-in-progress': boolean }
  steps: Step[]
}
type Workflow = {
  on: Record<string, unknown>
  permissions: Record<string, string>
  jobs: Record<string, Job>
}

describe('delivery configuration', () => {
  describe('the CI/CD workflow', () => {
    const text = read('.github/workflows/ci.yml')
    const workflow = parseYaml(text) as Workflow

    it('runs on pushes to main and develop and on pull requests', () => {
      expect(workflow.on).to.deep.equal({ push: { branches: ['main', 'develop'] }, pull_request: null })
    })

    it('has the six stages in order', () => {
      const needs = (job: string) => workflow.jobs[job]?.needs
      expect(Object.keys(workflow.jobs)).to.include.members(['quality', 'unit', 'integration', 'security'])
      expect([needs('unit'), needs('coverage'), needs('integration'), needs('security')]).to.deep.equal([
        'quality',
        'unit',
        'coverage',
        'integration',
      ])
      expect([needs('image'), needs('deploy')]).to.deep.equal(['security', 'image'])
    })

    it('pins every action to a full commit SHA with its version in a comment', () => {
      const uses = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line))
      expect(uses.length).to.be.greaterThan(10)
      for (const line of uses) expect(line).to.match(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d/)
    })

    it('grants nothing by default and each job only what it declares', () => {
      expect(workflow.permissions).to.deep.equal({})
      for (const [name, job] of Object.entries(workflow.jobs)) {
        expect(job.permissions, name).to.be.an('object')
        const writes = Object.entries(job.permissions ?? {}).filter(([, level]) => level === 'write')
        expect(writes, name).to.deep.equal(name === 'image' ? [['packages', 'write']] : [])
      }
    })

    it('reads secrets only into environment variables, and deploys one at a time from main only', () => {
      for (const line of text.split('\n').filter((l) => l.includes('secrets.')))
        expect(line).to.match(/^\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/)
      const deploy = workflow.jobs['deploy']!
      expect(deploy.if).to.equal("github.event_name == 'push' && github.ref == 'refs/heads/main'")
      expect(deploy.environment).to.equal('production')
      expect(deploy.concurrency).to.deep.equal({ group: 'deploy-production', 'cancel-in-progress': false })
    })
  })

  it('railway.toml builds the Dockerfile, migrates before deploy and gates traffic on /api/health', () => {
    const railway = parseToml(read('railway.toml')) as {
      build: Record<string, unknown>
      deploy: Record<string, unknown>
    }
    expect(railway.build).to.include({ builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' })
    expect(String(railway.deploy['preDeployCommand'])).to.match(/migrate-cli\.js/)
    expect(railway.deploy).to.include({ healthcheckPath: '/api/health', restartPolicyType: 'ON_FAILURE' })
    expect(railway.deploy['healthcheckTimeout']).to.be.a('number').within(30, 300)
    expect(railway.deploy['numReplicas']).to.be.a('number').at.least(2)
    expect(railway.deploy['drainingSeconds']).to.be.greaterThan(25) // DRAIN_TIMEOUT_MS default, in seconds
  })

  it('docker-compose.yml runs PostgreSQL 16, Redis 7 and the API once both are healthy', () => {
    type Service = {
      image?: string
      build?: string
      depends_on?: Record<string, { condition: string }>
      environment?: Record<string, string>
      healthcheck?: unknown
      ports?: string[]
    }
    const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service> }
    const { postgres, redis, api } = compose.services
    expect(postgres?.image).to.equal('postgres:16')
    expect(redis?.image).to.equal('redis:7')
    expect(postgres?.healthcheck).to.not.equal(undefined)
    expect(redis?.healthcheck).to.not.equal(undefined)
    expect(api?.build).to.equal('.')
    expect(api?.depends_on).to.deep.equal({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    })
    expect(api?.environment).to.include({ NODE_ENV: 'production', STORE: 'redis' })
    expect(api?.environment?.['DATABASE_URL']).to.match(/@postgres:5432\//)
    expect(api?.ports).to.deep.equal(['127.0.0.1:3000:3000'])
  })

  describe('test shards', () => {
    const files = specFiles(root)

    it('puts every unit spec in exactly one of three shards, the same way every time', () => {
      const unit = files.filter((f) => tierOf(f) === 'unit').map((file, i) => ({ file, weight: i + 1 }))
      const shards = shard(unit, 3)
      expect(shards.flat().sort()).to.deep.equal(unit.map((u) => u.file).sort())
      expect(shard(unit, 3)).to.deep.equal(shards)
      expect(shards.every((s) => s.length > 0)).to.equal(true)
    })

    it('balances by weight, heaviest first onto the lightest shard', () => {
      const weights = [9, 7, 5, 3, 1].map((weight, i) => ({ file: `f${i}`, weight }))
      expect(shard(weights, 2)).to.deep.equal([
        ['f0', 'f3', 'f4'],
        ['f1', 'f2'],
      ])
    })

    it('sends suites that need PostgreSQL, Redis or a process to the integration tier', () => {
      expect(tierOf('test/contracts/rate-limiter.redis.test.ts')).to.equal('integration')
      expect(tierOf('test/contracts/blob-store.knex.test.ts')).to.equal('integration')
      expect(tierOf('test/contracts/session-store.cached.test.ts')).to.equal('integration')
      expect(tierOf('test/contracts/redis-cluster.test.ts')).to.equal('integration')
      expect(tierOf('test/adapters/composition/readiness-and-drain.test.ts')).to.equal('integration')
      expect(tierOf('test/ops/image-stages.test.ts')).to.equal('integration')
      expect(tierOf('test/contracts/blob-store.in-memory.test.ts')).to.equal('unit')
      expect(tierOf('test/domain/backup.test.ts')).to.equal('unit')
    })
  })

  it('the audit gate blocks high and critical advisories unless allowlisted and unexpired', () => {
    const advisory = (severity: string, id: string) => ({
      severity,
      via: [{ url: `https://github.com/advisories/${id}`, title: 't', severity }],
    })
    const report = {
      vulnerabilities: {
        a: advisory('critical', 'GHSA-aaaa-aaaa-aaaa'),
        b: advisory('high', 'GHSA-bbbb-bbbb-bbbb'),
        c: advisory('moderate', 'GHSA-cccc-cccc-cccc'),
        d: { severity: 'high', via: ['a'] },
      },
    }
    const allow = [
      { advisory: 'GHSA-bbbb-bbbb-bbbb', reason: 'not reachable', expires: '2030-01-01' },
      { advisory: 'GHSA-aaaa-aaaa-aaaa', reason: 'expired', expires: '2020-01-01' },
    ]
    expect(blockingFindings(report, allow, '2026-11-26')).to.deep.equal([
      'a: GHSA-aaaa-aaaa-aaaa (critical) t',
    ])
    expect(blockingFindings(report, [], '2026-11-26')).to.have.length(2)
  })

  it('the post-deploy smoke test passes against a live server and fails against nothing', async function () {
    this.timeout(30_000)
    const server = await startTestServer()
    const run = (base: string) =>
      promisify(execFile)('bash', [path.join(root, 'ops/smoke-test.sh'), base], {
        env: { ...process.env, SMOKE_ATTEMPTS: '1' },
      }).then(
        () => 0,
        (e: { code?: number }) => e.code ?? -1,
      )
    try {
      expect(await run(server.base)).to.equal(0)
    } finally {
      await server.close()
    }
    expect(await run(server.base)).to.equal(1)
  })
})
