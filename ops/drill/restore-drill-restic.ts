/**
 * The restic side of the restore drill: the real restic client (Debian's `restic`) backing up a small data set
 * through ZKEB's REST backend, and every object of the repository read back over that same protocol, so the
 * drill can compare them byte for byte (by SHA-256) before the loss and after the restore.
 * SECURITY: drill-only; the token and the repository password live in this process and its restic child.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'

export type ResticRepository = Readonly<{
  base: string
  username: string
  token: string
  repo: string
  password: string
  /** The folder restic backs up, and its cache. */
  work: string
}>

const objectTypes = ['keys', 'snapshots', 'index', 'data', 'locks'] as const

const environment = (r: ResticRepository): NodeJS.ProcessEnv => {
  const url = new URL(`/restic/${r.repo}/`, r.base)
  url.username = encodeURIComponent(r.username)
  url.password = encodeURIComponent(r.token)
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: r.work,
    RESTIC_REPOSITORY: `rest:${url.toString()}`,
    RESTIC_PASSWORD: r.password,
    RESTIC_CACHE_DIR: path.join(r.work, 'cache'),
  }
}

/** Runs restic; a non-zero exit fails the drill with restic's own last lines. */
export const restic = (r: ResticRepository, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      'restic',
      [...args],
      { env: environment(r), timeout: 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        error === null
          ? resolve(stdout)
          : reject(new Error(`restic ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)),
    )
  })

/** About 1 MiB in a few files, with one repeated block (restic stores it once). */
export const writeDataSet = async (folder: string, round: number): Promise<void> => {
  await mkdir(path.join(folder, 'notes'), { recursive: true })
  const block = randomBytes(256 * 1024)
  await writeFile(path.join(folder, 'block.bin'), block)
  await writeFile(path.join(folder, 'block-again.bin'), block)
  await writeFile(path.join(folder, `round-${round}.bin`), randomBytes(384 * 1024))
  for (let i = 0; i < 8; i++)
    await writeFile(path.join(folder, 'notes', `note-${round}-${i}.txt`), randomBytes(900).toString('hex'))
}

/** Relative path → SHA-256 of every file under `folder`. */
export const fileDigests = async (folder: string, below = ''): Promise<Record<string, string>> => {
  const found: Record<string, string> = {}
  for (const name of await readdir(path.join(folder, below))) {
    const relative = path.join(below, name)
    if ((await stat(path.join(folder, relative))).isDirectory())
      Object.assign(found, await fileDigests(folder, relative))
    else
      found[relative] = createHash('sha256')
        .update(await readFile(path.join(folder, relative)))
        .digest('hex')
  }
  return found
}

const get = async (r: ResticRepository, relative: string, accept?: string): Promise<Buffer> => {
  const headers: Record<string, string> = {
    Authorization: `Basic ${Buffer.from(`${r.username}:${r.token}`).toString('base64')}`,
    ...(accept === undefined ? {} : { Accept: accept }),
  }
  const res = await fetch(new URL(`/restic/${r.repo}/${relative}`, r.base), { headers })
  if (res.status !== 200) throw new Error(`GET restic ${relative.split('/')[0]} answered ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

/** `type/name` → SHA-256 of the bytes the server returns, for every object of the repository. */
export const objectDigests = async (r: ResticRepository): Promise<Record<string, string>> => {
  const digests: Record<string, string> = {
    config: createHash('sha256')
      .update(await get(r, 'config'))
      .digest('hex'),
  }
  for (const type of objectTypes) {
    const listed = JSON.parse(
      (await get(r, `${type}/`, 'application/vnd.x.restic.rest.v2')).toString(),
    ) as Array<{ name: string }>
    for (const { name } of listed)
      digests[`${type}/${name}`] = createHash('sha256')
        .update(await get(r, `${type}/${name}`))
        .digest('hex')
  }
  return digests
}
