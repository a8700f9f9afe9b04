/**
 * Replays a Dockerfile's stages in folders (ops/image-stages.ts boots the result): the build context from
 * `git ls-files` (tracked and untracked, not git-ignored) minus .dockerignore, then each stage in order:
 * FROM (a fresh folder, or a hard-linked copy of an earlier stage), WORKDIR, ENV, COPY (also --from=stage)
 * and RUN (`sh -c`, with the image's /app mapped into the stage's folder and the image's `node` user as
 * uid/gid 1000, as in node images). An instruction it does not know fails the replay.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { envPairs, execForm, parseDockerfile, splitFlags, stagesOf } from './dockerfile'

export const root = path.resolve(__dirname, '..')
export const NODE_UID = 1000 // the `node` user of the official node images
export const log = (message: string) => process.stdout.write(`image-stages: ${message}\n`)

/** .dockerignore patterns, anchored at the context root; a match on a folder excludes what is inside. */
const ignoredBy = (patterns: string[]) => {
  const regexes = patterns.map((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exceptions are not replayed: ${pattern}`)
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*/g, '\0')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\0/g, '.*')
    return new RegExp(`^${body}(/.*)?$`)
  })
  return (file: string) => regexes.some((regex) => regex.test(file))
}

export const buildContext = (dir: string) => {
  const patterns = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const ignored = ignoredBy(patterns)
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && !ignored(file) && existsSync(path.join(root, file)))
  for (const file of files) cpSync(path.join(root, file), path.join(dir, file))
  const append = process.env['IMAGE_STAGES_APPEND']
  if (append) {
    const [file, ...line] = append.split(':')
    appendFileSync(path.join(dir, file!), `\n${line.join(':')}\n`)
  }
  return files.length
}

type StageState = {
  dir: string
  workdir: string
  env: Record<string, string>
  user: string | null
  /** The stage's own npm cache (an image's /root/.npm): `npm cache clean` in a RUN must not empty this machine's. */
  npmCache: string
}
export type Image = StageState & { cmd: string[]; healthcheck: string[] | null }

/** The image's absolute paths (all under the first WORKDIR's top folder, /app) inside the stage folder. */
export const inStage = (state: StageState, text: string) =>
  text.replace(/(^|[\s=:'"])\/app\b/g, `$1${state.dir}/app`)

const run = (state: StageState, command: string) => {
  const uid =
    process.getuid?.() === 0 ? `${NODE_UID}:${NODE_UID}` : `${process.getuid?.()}:${process.getgid?.()}`
  const script = inStage(state, command).replace(/\bchown (-R )?node:node\b/g, `chown $1${uid}`)
  log(`RUN ${command}`)
  execFileSync('sh', ['-c', script], {
    cwd: path.join(state.dir, state.workdir),
    stdio: ['ignore', 'inherit', 'inherit'],
    // npm answers from its cache when it can; the packages and lockfile checks are the same.
    env: {
      ...process.env,
      ...state.env,
      npm_config_cache: state.npmCache,
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    },
  })
}

const copy = (state: StageState, args: string, context: string, stages: Map<string, StageState>) => {
  const { flags, rest } = splitFlags(args)
  const words = execForm(rest) ?? rest.split(/\s+/)
  const sources = words.slice(0, -1)
  const target = words.at(-1)!
  const from = flags['from'] === undefined ? null : stages.get(flags['from'])
  if (from === undefined) throw new Error(`COPY --from=${flags['from']}: no such stage`)
  const destination = path.join(
    state.dir,
    path.isAbsolute(target) ? target : path.join(state.workdir, target),
  )
  const intoFolder = target.endsWith('/') || sources.length > 1
  for (const source of sources) {
    const origin = from === null ? path.join(context, source) : path.join(from.dir, source)
    if (!existsSync(origin))
      throw new Error(`COPY ${source}: not in the ${from === null ? 'context' : 'stage'}`)
    // A folder's contents are copied, a file keeps its name inside a folder target (Docker's COPY).
    const into = intoFolder && !statSync(origin).isDirectory()
    cpSync(origin, into ? path.join(destination, path.basename(source)) : destination, { recursive: true })
  }
}

export const replayStages = (work: string, context: string): Image => {
  const stages = new Map<string, StageState>()
  let image: Image | null = null
  stagesOf(parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'))).forEach((stage, index) => {
    const base = stages.get(stage.from)
    const dir = path.join(work, `stage-${index}-${stage.name ?? 'unnamed'}`)
    log(`FROM ${stage.from}${stage.name ? ` AS ${stage.name}` : ''}`)
    if (base) execFileSync('cp', ['-al', base.dir, dir])
    else checkBaseImage(stage.from)
    mkdirSync(dir, { recursive: true })
    const fresh = {
      workdir: '/',
      env: {},
      user: null,
      cmd: [],
      healthcheck: null,
      npmCache: npmCacheFor(dir),
    }
    const state: Image = { dir, ...fresh, ...(base ?? {}) }
    state.dir = dir
    state.env = { ...state.env }
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'WORKDIR')
        mkdirSync(path.join(dir, (state.workdir = path.resolve(state.workdir, args))), { recursive: true })
      else if (keyword === 'ENV') for (const [key, value] of envPairs(args)) state.env[key] = value
      else if (keyword === 'COPY') copy(state, args, context, stages)
      else if (keyword === 'RUN') run(state, args)
      else if (keyword === 'USER') state.user = args
      else if (keyword === 'CMD') state.cmd = execForm(args) ?? ['sh', '-c', args]
      else if (keyword === 'HEALTHCHECK')
        state.healthcheck = execForm(splitFlags(args).rest.replace(/^CMD\s+/, ''))
      else if (keyword !== 'EXPOSE') throw new Error(`${keyword}: not replayed by ops/image-stages.ts`)
    }
    if (stage.name) stages.set(stage.name, state)
    image = state
  })
  if (image === null) throw new Error('the Dockerfile has no stage')
  return image
}

/**
 * A fresh image has its own npm cache; this one starts as a copy of this machine's: the index copied (npm
 * appends to it), the content hard-linked (content-addressed, written to new files and renamed, never
 * changed in place). So whatever a RUN does to it, `npm cache clean --force` included, stays in the copy.
 */
const npmCacheFor = (dir: string) => {
  const cache = path.join(`${dir}.npm-cache`, '_cacache')
  const machineCache = path.join(
    execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
    '_cacache',
  )
  mkdirSync(cache, { recursive: true })
  if (existsSync(path.join(machineCache, 'index-v5'))) {
    execFileSync('cp', ['-r', path.join(machineCache, 'index-v5'), path.join(cache, 'index-v5')])
  }
  if (existsSync(path.join(machineCache, 'content-v2'))) {
    execFileSync('cp', ['-al', path.join(machineCache, 'content-v2'), path.join(cache, 'content-v2')])
  }
  return path.dirname(cache)
}

/** The replay uses this machine's node; it must be the image's major version. */
const checkBaseImage = (from: string) => {
  const major = /^node:(\d+)/.exec(from)?.[1]
  if (major === undefined) throw new Error(`${from}: only node images are replayed`)
  if (process.versions.node.split('.')[0] !== major)
    throw new Error(`${from} runs node ${major}, this machine ${process.version}`)
}
