/**
 * The alerting rules and their routing, checked with the real tools: `promtool check rules` and
 * `promtool test rules` (Debian `prometheus`), `amtool check-config` and a routing test (Debian
 * `prometheus-alertmanager`). .ci/run installs both; without them the suite skips locally and fails in CI.
 */
import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const ops = path.resolve(__dirname, '../../ops')

const run = (tool: string, args: ReadonlyArray<string>) => {
  const result = spawnSync(tool, args, { cwd: ops, encoding: 'utf8', timeout: 60_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

const requireTool = (context: Mocha.Context, tool: string, apt: string): void => {
  if (spawnSync(tool, ['--version']).status === 0) return
  if (process.env['CI'])
    throw new Error(`${tool} not found (Debian package ${apt}): the alert checks cannot run`)
  context.skip()
}

describe('ops: Prometheus alerting rules and Alertmanager routing', function () {
  this.timeout(60_000)

  describe('promtool', function () {
    before(function () {
      requireTool(this, 'promtool', 'prometheus')
    })

    it('accepts ops/alerts.yml', () => {
      const checked = run('promtool', ['check', 'rules', 'alerts.yml'])
      expect(checked.status, checked.output).to.equal(0)
      expect(checked.output).to.include('SUCCESS: 8 rules found')
    })

    it('passes the unit tests of ops/alerts.test.yml: each alert fires on a breach and not on a healthy series', () => {
      const tested = run('promtool', ['test', 'rules', 'alerts.test.yml'])
      expect(tested.status, tested.output).to.equal(0)
      expect(tested.output).to.include('SUCCESS')
    })
  })

  describe('amtool', function () {
    before(function () {
      requireTool(this, 'amtool', 'prometheus-alertmanager')
    })

    it('accepts ops/alertmanager.yml', () => {
      const checked = run('amtool', ['check-config', 'alertmanager.yml'])
      expect(checked.status, checked.output).to.equal(0)
    })

    it('pages on critical and sends warnings to chat and email', () => {
      const receiverOf = (severity: string) =>
        run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', `severity=${severity}`])
          .output.split('\n')
          .filter((line) => line !== '' && !line.startsWith('Warning'))
          .join('')
      expect(receiverOf('critical')).to.equal('pager')
      expect(receiverOf('warning')).to.equal('chat-email')
    })
  })
})
