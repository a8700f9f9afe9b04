/**
 * Knows the CLI's local state: one JSON file, `state.json`, in the config folder (ZKEB_CONFIG_DIR, else
 * $XDG_CONFIG_HOME/zkeb, else ~/.config/zkeb), folder 0700 and file 0600, written atomically (a temporary file
 * in the same folder, fsync, rename), so a crash never leaves half a file.
 *
 * What it holds (version 2): the server URL, the username, the account and device ids, the device's Ed25519
 * private key wrapped under the UMK, and while logged in two sealed blobs (kept-keys.ts):
 *   - `unlock`: the UMK and the OPAQUE export key (with the key-bundle version they belong to), AES-GCM under
 *     a local unlock key = Argon2id(password, random salt) with the parameters stored next to it;
 *   - `session`: the access token, its expiry and the refresh token, AES-GCM under HKDF(UMK).
 * Both bind "field|accountId|deviceId" as associated data, so a blob moved to another field, file, account
 * or device does not open. So a command needs the password and the file, but no OPAQUE login: a script of
 * many commands logs in once (the server allows 10 logins a minute per username).
 *
 * Why this is safe, and what it costs: the file opens nothing without the password, and the refresh token in
 * it is useless without the UMK-derived key. But the file does allow OFFLINE password guessing: whoever copies
 * it can try passwords against `unlock` at the cost of one Argon2id per guess, the same Argon2id (same
 * parameters) that OPAQUE applies to the password, with no server to rate-limit or notice. Version 1 (no
 * `unlock`) offered no offline guessing at all; that is what version 2 trades for not logging in every run.
 * Protect the file like an SSH private key; `zkeb logout` removes both blobs (and ends the session on the
 * server) but keeps the device key so `zkeb login` resumes as the same device.
 *
 * Version 1 files (no blobs) are still read: they count as logged in without a kept session, so the next
 * command logs in with OPAQUE once and writes version 2.
 */
import { constants } from 'node:fs'
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { cliError, ExitCode } from './exit-codes'

const identity = {
  server: t.string,
  username: t.string,
  accountId: t.string,
  deviceId: t.string,
  /** base64url of wrapDevicePrivateKey(UMK, pkcs8). */
  wrappedDeviceKey: t.string,
}

/** Version 1: no kept session; each command logged in with OPAQUE and out again. */
export const CliStateV1 = t.strict({ version: t.literal(1), ...identity })
export type CliStateV1 = t.TypeOf<typeof CliStateV1>

/** The sealed UMK and export key, and how to derive the key that opens them from the password. */
export const Unlock = t.strict({
  kdf: t.literal('argon2id'),
  memoryKiB: t.number,
  iterations: t.number,
  parallelism: t.number,
  /** base64url, 16 random bytes. */
  salt: t.string,
  /** base64url of seal(Argon2id(password, salt), {umk, exportKey, keyBundleVersion}). */
  sealed: t.string,
})
export type Unlock = t.TypeOf<typeof Unlock>

/** Version 2: `unlock` and `session` are both there while logged in; `zkeb logout` removes both. */
export const CliState = t.intersection([
  t.strict({ version: t.literal(2), ...identity }),
  t.exact(t.partial({ unlock: Unlock, session: t.string })),
])
export type CliState = t.TypeOf<typeof CliState>

/** What a state file may hold; only version 2 is written. */
export type AnyCliState = CliStateV1 | CliState
const AnyCliState = t.union([CliState, CliStateV1])

type Env = Readonly<Record<string, string | undefined>>

export const configDir = (env: Env): string =>
  env.ZKEB_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'zkeb')

export const statePath = (env: Env): string => join(configDir(env), 'state.json')

const corrupted = (path: string): never =>
  cliError(ExitCode.localState, `local state ${path} is corrupted; remove it and run \`zkeb login\``)

/** Exit 10 naming the state file: it does not parse, or a sealed blob in it does not open. */
export const corruptedState = (env: Env): never => corrupted(statePath(env))

/** The state, or undefined when there is none; a file that does not parse is a clear error (exit 10). */
export const readState = async (env: Env): Promise<AnyCliState | undefined> => {
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
  const state = E.isRight(parsed) ? AnyCliState.decode(parsed.right) : undefined
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
