/**
 * Knows the CLI's local state: one JSON file, `state.json`, in the config folder (ZKEB_CONFIG_DIR, else
 * $XDG_CONFIG_HOME/zkeb, else ~/.config/zkeb), folder 0700 and file 0600, written atomically (a temporary file
 * in the same folder, fsync, rename), so a crash never leaves half a file.
 *
 * What it holds, and why the UMK is not in it: the server URL, the username, the account and device ids, and
 * the device's Ed25519 private key wrapped under the UMK. The UMK itself is never stored: each run logs in with
 * OPAQUE (the password) and unwraps the UMK from the server's passwordWrappedUmk with the export key, so the
 * file alone opens nothing and offers no offline password guessing. Sessions are per run (logged out at the end
 * of each command), so no token is stored either.
 */
import { constants } from 'node:fs'
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { cliError, ExitCode } from './exit-codes'

export const CliState = t.strict({
  version: t.literal(1),
  server: t.string,
  username: t.string,
  accountId: t.string,
  deviceId: t.string,
  /** base64url of wrapDevicePrivateKey(UMK, pkcs8). */
  wrappedDeviceKey: t.string,
})
export type CliState = t.TypeOf<typeof CliState>

type Env = Readonly<Record<string, string | undefined>>

export const configDir = (env: Env): string =>
  env.ZKEB_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'zkeb')

export const statePath = (env: Env): string => join(configDir(env), 'state.json')

const corrupted = (path: string): never =>
  cliError(ExitCode.localState, `local state ${path} is corrupted; remove it and run \`zkeb login\``)

/** The state, or undefined when there is none; a file that does not parse is a clear error (exit 10). */
export const readState = async (env: Env): Promise<CliState | undefined> => {
  const path = statePath(env)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return cliError(ExitCode.localState, `cannot read local state ${path}`)
  }
  const parsed = E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => undefined,
  )
  const state = E.isRight(parsed) ? CliState.decode(parsed.right) : undefined
  return state !== undefined && E.isRight(state) ? state.right : corrupted(path)
}

/** Writes a file atomically with mode 0600: temp file in the same folder, fsync, rename. */
export const writeFileAtomically = async (path: string, dir: string, bytes: string): Promise<void> => {
  const temp = join(dir, `.state-${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path).catch(async (e: unknown) => {
    await rm(temp, { force: true })
    throw e
  })
}

export const writeState = async (env: Env, state: CliState): Promise<void> => {
  const dir = configDir(env)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await writeFileAtomically(statePath(env), dir, JSON.stringify(state, null, 2) + '\n')
    await chmod(statePath(env), 0o600)
  } catch {
    cliError(ExitCode.localState, `cannot write local state in ${dir}`)
  }
}

export const removeState = async (env: Env): Promise<boolean> => {
  const path = statePath(env)
  const existed = await readFile(path)
    .then(() => true)
    .catch(() => false)
  await rm(path, { force: true })
  return existed
}
