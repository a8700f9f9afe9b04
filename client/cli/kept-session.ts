/**
 * Knows the session a command runs in. Logged in, the state keeps the UMK sealed under the password and the
 * tokens sealed under the UMK (state.ts, kept-keys.ts), so a command opens them with the password alone and
 * reuses the session: no OPAQUE login, hence no login rate limit for scripts. The access token is refreshed
 * when it has expired or on a 401, and every rotated refresh token is written back at once (atomically, 0600),
 * since the old one is dead: presenting it again would end the whole session family.
 * When the kept session is over (revoked, reused, expired) or the keys changed elsewhere (another client
 * rotated them), the command logs in with OPAQUE once and keeps the new session. Nothing logs out at the end.
 */
import * as E from 'fp-ts/Either'
import {
  httpClientFor,
  loadDevice,
  login,
  logout,
  resumeSession,
  wrongPassword,
  ZkebError,
  type ClientOptions,
  type SdkError,
  type Session,
  type Tokens,
} from '../sdk'
import { clientOptions, nowOf, requireState, sdk, secret, wrappedDeviceKeyOf, type Ctx } from './context'
import { sessionServer } from './config'
import { cliError, ExitCode } from './exit-codes'
import {
  localKeyFor,
  newLocalKey,
  openSession,
  openUnlock,
  sealSession,
  sealUnlock,
  type Ids,
  type KeptTokens,
  type LocalKey,
  type UnlockSecrets,
} from './kept-keys'
import { corruptedState, writeState, type AnyCliState, type CliState, type Unlock } from './state'

/** The identity part of a state (no sealed blobs), as version 2: what a logged-out state holds. */
export const identityOf = (s: AnyCliState): CliState => ({
  version: 2,
  server: s.server,
  username: s.username,
  accountId: s.accountId,
  deviceId: s.deviceId,
  wrappedDeviceKey: s.wrappedDeviceKey,
})

const idsOf = (s: AnyCliState): Ids => ({ accountId: s.accountId, deviceId: s.deviceId })

/** Refresh a little before the access token's expiry, so it does not lapse between check and use. */
const expirySlackMs = 30_000
export const keptTokensOf = (ctx: Ctx, tokens: Tokens): KeptTokens => ({
  ...tokens,
  expiresAt: nowOf(ctx) + tokens.expiresIn * 1000,
})

/** A 401 while resuming: the kept session is over on the server, so log in again. */
const isSessionOver = (e: SdkError): boolean => e._tag === 'ApiError' && e.status === 401

/** Seals both blobs for `session` and writes the whole state (version 2). */
export const writeKept = async (
  ctx: Ctx,
  identity: CliState,
  local: LocalKey,
  session: Session,
  tokens: KeptTokens,
): Promise<void> => {
  const ids = idsOf(identity)
  const secrets: UnlockSecrets = {
    umk: session.umk,
    exportKey: session.exportKey,
    keyBundleVersion: session.keyBundleVersion,
  }
  await writeState(ctx.io.env, {
    ...identity,
    unlock: await sealUnlock(local, ids, secrets),
    session: await sealSession(session.umk, ids, tokens),
  })
}

/** Lets a command that changes keys or the password (passwd, rotate-keys) write them back. */
export type Keeper = Readonly<{
  update: (
    changes: Readonly<{ session?: Session; password?: string; wrappedDeviceKey?: string }>,
  ) => Promise<void>
}>

/** The mutable side of one run: what is kept, and the chain of writes (awaited before the command ends). */
const keeperFor = (ctx: Ctx, loaded: AnyCliState, password: string) => {
  const k = {
    identity: identityOf(loaded),
    password,
    local: undefined as LocalKey | undefined,
    session: undefined as Session | undefined,
    tokens: undefined as KeptTokens | undefined,
    written: undefined as string | undefined,
    writes: Promise.resolve(),
    failure: undefined as Error | undefined,
  }
  /** Writes both blobs when the tokens changed since the last write, or when `force`d (new keys, password). */
  const persist = async (force: boolean): Promise<void> => {
    if (k.session === undefined || k.tokens === undefined) return
    if (!force && k.tokens.refreshToken === k.written) return
    k.local ??= await newLocalKey(k.password, ctx.options.keyStretching)
    await writeKept(ctx, k.identity, k.local, k.session, k.tokens)
    k.written = k.tokens.refreshToken
  }
  const enqueue = (force = false): Promise<void> =>
    (k.writes = k.writes
      .then(() => persist(force))
      .catch((e: unknown) => {
        k.failure ??= e instanceof Error ? e : new Error('writing the local state failed')
      }))
  const flush = async (): Promise<void> => {
    await k.writes
    if (k.failure !== undefined) throw k.failure
  }
  /** Called by the transport with every new token pair (login, refresh). */
  const onTokens = (tokens: Tokens): void => {
    if (tokens.refreshToken === k.written) return
    k.tokens = keptTokensOf(ctx, tokens)
    void enqueue()
  }
  const keeper: Keeper = {
    update: async (changes) => {
      if (changes.password !== undefined) {
        k.password = changes.password
        k.local = await newLocalKey(changes.password, ctx.options.keyStretching)
      }
      if (changes.wrappedDeviceKey !== undefined)
        k.identity = { ...k.identity, wrappedDeviceKey: changes.wrappedDeviceKey }
      if (changes.session !== undefined) k.session = changes.session
      await enqueue(true)
      await flush()
    },
  }
  return { k, enqueue, flush, onTokens, keeper }
}
type Kept = ReturnType<typeof keeperFor>

/** Signs as this machine's device from now on; exit 10 when its key does not open. */
const withThisDevice = async (ctx: Ctx, kept: Kept, session: Session): Promise<Session> => {
  const withDevice = sdk(
    await loadDevice(session, kept.k.identity.deviceId, wrappedDeviceKeyOf(ctx, kept.k.identity)),
  )
  kept.k.session = withDevice
  return withDevice
}

/** Opens both blobs with the password: exit 4 when it is wrong, exit 10 when a blob is corrupt or swapped. */
const openKept = async (ctx: Ctx, loaded: CliState, unlock: Unlock, sealed: string, password: string) => {
  const local = await localKeyFor(password, unlock)
  if (E.isLeft(local)) return corruptedState(ctx.io.env)
  const secrets = await openUnlock(local.right, idsOf(loaded), unlock)
  if (E.isLeft(secrets))
    return secrets.left === 'unopened' ? sdk(E.left(wrongPassword)) : corruptedState(ctx.io.env)
  const tokens = await openSession(secrets.right.umk, idsOf(loaded), sealed)
  if (E.isLeft(tokens)) return corruptedState(ctx.io.env)
  return { local: local.right, secrets: secrets.right, tokens: tokens.right }
}

/** The kept session, resumed; undefined when there is none, it is over, or it is stale (log in instead). */
const resumeKept = async (
  ctx: Ctx,
  kept: Kept,
  loaded: CliState,
  options: ClientOptions,
): Promise<Session | undefined> => {
  const { unlock, session: sealed } = loaded
  if (unlock === undefined || sealed === undefined) return undefined
  const { local, secrets, tokens } = await openKept(ctx, loaded, unlock, sealed, kept.k.password)
  Object.assign(kept.k, { local, tokens, written: tokens.refreshToken })
  const resumed = await resumeSession(options, {
    tokens,
    accessTokenExpired: tokens.expiresAt <= nowOf(ctx) + expirySlackMs,
    umk: secrets.umk,
    exportKey: secrets.exportKey,
  })
  if (E.isLeft(resumed)) return isSessionOver(resumed.left) ? undefined : sdk(resumed)
  if (resumed.right.keyBundleVersion === secrets.keyBundleVersion) return resumed.right
  await logout(resumed.right) // keys or password changed elsewhere: this UMK may be stale
  return undefined
}

/** One OPAQUE login bound to this device, kept in place of the old session. */
const logInAgain = async (ctx: Ctx, kept: Kept, options: ClientOptions): Promise<Session> => {
  const { username, deviceId, accountId } = kept.k.identity
  const opened = sdk(await login(options, { username, password: kept.k.password, deviceId }))
  if (opened.accountId !== accountId) {
    await logout(opened)
    return cliError(ExitCode.localState, 'local state belongs to another account; run `zkeb login` again')
  }
  return opened // its tokens reached the keeper through onTokens
}

/** Runs `work` in this machine's kept session (resumed, or logged in once); rotated tokens are written back. */
export const withSession = async <A>(
  ctx: Ctx,
  work: (session: Session, state: CliState, keeper: Keeper) => Promise<A>,
): Promise<A> => {
  const loaded = await requireState(ctx)
  if (loaded.version === 2 && loaded.unlock === undefined)
    return cliError(ExitCode.notLoggedIn, 'logged out: run `zkeb login` first')
  const server = await sessionServer(ctx, loaded)
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'password')
  const kept = keeperFor(ctx, loaded, password)
  const options = { ...clientOptions(ctx, server.url), onTokens: kept.onTokens }
  try {
    const resumed = loaded.version === 2 ? await resumeKept(ctx, kept, loaded, options) : undefined
    kept.k.session = resumed ?? (await logInAgain(ctx, kept, options))
    await kept.enqueue() // a new login, or a refresh while resuming: kept even if the device key fails next
    const session = await withThisDevice(ctx, kept, kept.k.session)
    return await work(session, kept.k.identity, kept.keeper)
  } finally {
    await kept.flush()
  }
}

/** Ends the kept session on the server: 'ended' (or already over), 'none' when nothing is kept, else 'failed'. */
export const endKeptSession = async (
  ctx: Ctx,
  loaded: AnyCliState,
  password: string,
): Promise<'ended' | 'none' | 'failed'> => {
  if (loaded.version !== 2 || loaded.unlock === undefined || loaded.session === undefined) return 'none'
  const { tokens } = await openKept(ctx, loaded, loaded.unlock, loaded.session, password)
  const http = httpClientFor(clientOptions(ctx, loaded.server)) // where the session lives
  http.transport.setTokens(tokens)
  try {
    await http.logout()
    return 'ended'
  } catch (e) {
    if (e instanceof ZkebError && isSessionOver(e.error)) return 'ended'
    return 'failed'
  }
}
