import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { envPairs, execForm, parseDockerfile, stagesOf } from '../../ops/dockerfile'
import { lintDockerfile } from '../../ops/dockerfile-lint'

const dockerfile = readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8')

/** A minimal Dockerfile that passes every rule; each negative case changes one thing. */
const clean = [
  'FROM node:20-bookworm-slim AS build',
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'RUN npm ci',
  'FROM node:20-bookworm-slim',
  'WORKDIR /app',
  'COPY --from=build /app/dist ./dist',
  'USER node',
  'HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/api/health\')"]',
  'CMD ["node", "dist/main.js"]',
].join('\n')

const rulesOf = (text: string) => lintDockerfile(text).map((finding) => finding.rule)
const replaced = (from: string, to: string) => {
  expect(clean).to.include(from)
  return clean.replace(from, to)
}

describe('Dockerfile lint (hadolint rules, without hadolint)', () => {
  it('finds nothing in the project Dockerfile', () => {
    expect(lintDockerfile(dockerfile)).to.deep.equal([])
  })

  it('finds nothing in the clean fixture', () => {
    expect(lintDockerfile(clean)).to.deep.equal([])
  })

  const cases: [rule: string, text: string][] = [
    ['DL3000', replaced('WORKDIR /app\nCOPY --from', 'WORKDIR app\nCOPY --from')],
    ['DL3002', replaced('USER node', 'USER root')],
    ['DL3002', replaced('USER node\n', '')],
    ['DL3003', replaced('RUN npm ci', 'RUN cd /app && npm ci')],
    ['DL3004', replaced('RUN npm ci', 'RUN sudo npm ci')],
    ['DL3006', replaced('FROM node:20-bookworm-slim AS build', 'FROM node AS build')],
    ['DL3007', replaced('FROM node:20-bookworm-slim\n', 'FROM node:latest\n')],
    [
      'DL3008',
      replaced(
        'RUN npm ci',
        'RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      ),
    ],
    ['DL3009', replaced('RUN npm ci', 'RUN apt-get install -y --no-install-recommends curl=7.88.1-10')],
    [
      'DL3015',
      replaced('RUN npm ci', 'RUN apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*'),
    ],
    ['DL3020', replaced('COPY package.json', 'ADD package.json')],
    ['DL3022', replaced('--from=build', '--from=builder')],
    ['DL3024', replaced('FROM node:20-bookworm-slim\n', 'FROM node:20-bookworm-slim AS build\n')],
    ['DL3025', replaced('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js')],
    ['DL3025', `${clean}\nENTRYPOINT /bin/sh -c "node dist/main.js"`],
    ['DL4000', replaced('WORKDIR /app\nCOPY package', 'MAINTAINER someone\nWORKDIR /app\nCOPY package')],
    ['ZK001', replaced(/HEALTHCHECK.*\n/.exec(clean)![0], '')],
    [
      'ZK001',
      replaced(/HEALTHCHECK.*\n/.exec(clean)![0], 'HEALTHCHECK CMD curl -f http://localhost/api/health\n'),
    ],
    ['ZK002', replaced('RUN npm ci', 'RUN npm install')],
    ['ZK003', replaced('USER node', 'ENV NODE_ENV=production TOKEN_SECRET=abc\nUSER node')],
    ['ZK003', replaced('USER node', 'ARG DATABASE_URL=postgres://u:p@db/zkeb\nUSER node')],
  ]
  for (const [rule, text] of cases) {
    it(`fires ${rule} (and only ${rule}) on its fixture`, () => {
      expect(rulesOf(text)).to.deep.equal([rule])
    })
  }

  it('reports the line where the instruction starts', () => {
    const findings = lintDockerfile(replaced('CMD ["node", "dist/main.js"]', 'CMD node \\\n  dist/main.js'))
    expect(findings).to.deep.equal([{ rule: 'DL3025', line: 10, message: findings[0]!.message }])
  })
})

describe('Dockerfile parser', () => {
  it('joins line continuations, skipping comments inside them', () => {
    const text = '# syntax=docker/dockerfile:1\nRUN a \\\n  # explained\n  && b \\\n  && c\nUSER node\n'
    expect(parseDockerfile(text)).to.deep.equal([
      { keyword: 'RUN', args: 'a && b && c', line: 2 },
      { keyword: 'USER', args: 'node', line: 6 },
    ])
  })

  it('fails on a file ending inside a continuation', () => {
    expect(() => parseDockerfile('RUN a \\\n')).to.throw(/continuation/)
  })

  it('reads exec form, ENV pairs and stages', () => {
    expect(execForm('["node", "-e", "x"]')).to.deep.equal(['node', '-e', 'x'])
    expect(execForm('node -e x')).to.equal(null)
    expect(envPairs('A=1 B="two words" C=')).to.deep.equal([
      ['A', '1'],
      ['B', 'two words'],
      ['C', ''],
    ])
    expect(envPairs('A one')).to.deep.equal([['A', 'one']])
    const stages = stagesOf(parseDockerfile(dockerfile))
    expect(stages.map((stage) => [stage.name, stage.from])).to.deep.equal([
      ['deps', 'node:20-bookworm-slim'],
      ['build', 'deps'],
      ['production', 'node:20-bookworm-slim'],
    ])
  })
})
