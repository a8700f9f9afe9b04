/**
 * The hadolint rules that matter for this image, checked without hadolint (not in Debian, not on npm: the
 * npm "hadolint" package is a wrapper that downloads the binary). Ids are hadolint's where one exists.
 *   DL3000 WORKDIR is absolute            DL3002 the last USER is not root (and there is one)
 *   DL3003 no `cd` in RUN (use WORKDIR)   DL3004 no sudo
 *   DL3006 FROM names a tag               DL3007 the tag is not `latest`
 *   DL3008 apt-get install pins versions  DL3015 apt-get install --no-install-recommends
 *   DL3009 apt lists removed after apt-get install
 *   DL3020 COPY, not ADD, for local files DL3022 COPY --from names an earlier stage
 *   DL3024 stage names are unique         DL3025 CMD/ENTRYPOINT in exec form (SIGTERM reaches node)
 *   DL4000 no MAINTAINER
 *   ZK001  HEALTHCHECK in the last stage, exec form, on /api/health
 *   ZK002  npm ci, never npm install (the lockfile decides)
 *   ZK003  no secret in ENV or ARG (they stay in the image's history)
 * Base images are pinned by tag, not digest: no digest is recorded here that could be checked.
 */
import { envPairs, execForm, type Instruction, parseDockerfile, splitFlags, stagesOf } from './dockerfile'

export type Finding = { readonly rule: string; readonly line: number; readonly message: string }

const SECRET_NAME =
  /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY|OPAQUE_SERVER_SETUP|DATABASE_URL|REDIS_URL|DSN/i

const declaredNames = (instruction: Instruction): string[] =>
  instruction.keyword === 'ARG'
    ? [instruction.args.split('=')[0]!.trim()]
    : envPairs(instruction.args).map(([name]) => name)

const aptFindings = (run: Instruction): Finding[] => {
  const findings: Finding[] = []
  for (const install of run.args.matchAll(/apt-get\s+install\s+([^&;|]*)/g)) {
    const words = install[1]!.trim().split(/\s+/)
    const packages = words.filter((word) => !word.startsWith('-'))
    const unpinned = packages.filter((name) => !name.includes('='))
    if (unpinned.length > 0) {
      findings.push({
        rule: 'DL3008',
        line: run.line,
        message: `pin versions in apt-get install: ${unpinned.join(', ')}`,
      })
    }
    if (!words.includes('--no-install-recommends')) {
      findings.push({
        rule: 'DL3015',
        line: run.line,
        message: 'apt-get install without --no-install-recommends',
      })
    }
    if (!/rm -rf \/var\/lib\/apt\/lists/.test(run.args)) {
      findings.push({
        rule: 'DL3009',
        line: run.line,
        message: 'remove /var/lib/apt/lists after apt-get install',
      })
    }
  }
  return findings
}

const runFindings = (run: Instruction): Finding[] => {
  const findings = aptFindings(run)
  const add = (rule: string, message: string) => findings.push({ rule, line: run.line, message })
  if (/(^|[;&|]\s*)cd\s/.test(run.args)) add('DL3003', 'use WORKDIR instead of cd')
  if (/(^|[;&|\s])sudo\s/.test(run.args)) add('DL3004', 'do not use sudo')
  if (/\bnpm\s+(install|i)\b/.test(run.args)) add('ZK002', 'use npm ci (the lockfile), not npm install')
  return findings
}

const fromFindings = (instruction: Instruction, stageNames: Set<string>): Finding[] => {
  const image = splitFlags(instruction.args).rest.split(/\s+/)[0]!
  if (stageNames.has(image) || image === 'scratch') return []
  const tag = /^[^@]+?(?::([\w.-]+))?(@sha256:[0-9a-f]{64})?$/.exec(image)
  if (tag?.[1] === undefined && tag?.[2] === undefined) {
    return [{ rule: 'DL3006', line: instruction.line, message: `tag the base image: ${image}` }]
  }
  if (tag[1] === 'latest')
    return [{ rule: 'DL3007', line: instruction.line, message: `do not use latest: ${image}` }]
  return []
}

/** Every finding, in Dockerfile order. */
export const lintDockerfile = (text: string): Finding[] => {
  const instructions = parseDockerfile(text)
  const findings: Finding[] = []
  const add = (rule: string, line: number, message: string) => findings.push({ rule, line, message })
  const stageNames = new Set<string>()
  for (const instruction of instructions) {
    const { keyword, args, line } = instruction
    if (keyword === 'FROM') {
      findings.push(...fromFindings(instruction, stageNames))
      const name = /\sAS\s+(\S+)\s*$/i.exec(args)?.[1]
      if (name !== undefined && stageNames.has(name)) add('DL3024', line, `stage name ${name} is used twice`)
      if (name !== undefined) stageNames.add(name)
    }
    if (keyword === 'WORKDIR' && !args.startsWith('/') && !args.startsWith('$')) {
      add('DL3000', line, `WORKDIR must be absolute: ${args}`)
    }
    if (keyword === 'RUN') findings.push(...runFindings(instruction))
    if (keyword === 'ADD' && !/^(--\S+\s+)*https?:\/\//.test(args))
      add('DL3020', line, 'use COPY for local files')
    if (keyword === 'COPY') {
      const from = splitFlags(args).flags['from']
      if (from !== undefined && !stageNames.has(from))
        add('DL3022', line, `COPY --from=${from}: no earlier stage`)
    }
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && execForm(args) === null) {
      add('DL3025', line, `${keyword} in exec form (JSON), so signals reach the process`)
    }
    if (keyword === 'MAINTAINER') add('DL4000', line, 'MAINTAINER is deprecated (use a LABEL)')
    if (keyword === 'ENV' || keyword === 'ARG') {
      for (const name of declaredNames(instruction).filter((name) => SECRET_NAME.test(name))) {
        add('ZK003', line, `${name} looks like a secret: pass it at run time, not in ${keyword}`)
      }
    }
  }
  const last = stagesOf(instructions).at(-1)
  const lastLine = instructions.at(-1)?.line ?? 1
  const user = last?.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1)
  if (user === undefined || /^(root|0)(:|$)/.test(user.args)) {
    add('DL3002', user?.line ?? lastLine, 'the last stage must switch to a non-root USER')
  }
  const health = last?.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK')
  const probe = health === undefined ? null : execForm(splitFlags(health.args).rest.replace(/^CMD\s+/, ''))
  if (probe === null || !probe.join(' ').includes('/api/health')) {
    add('ZK001', health?.line ?? lastLine, 'the last stage needs an exec-form HEALTHCHECK on /api/health')
  }
  return findings.sort((a, b) => a.line - b.line)
}
