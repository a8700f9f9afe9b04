/**
 * Knows the session a command runs in. Logged in, the state keeps the UMK sealed under the password and the
 * tokens sealed under the UMK (state.ts, kept-keys.ts), so a command opens them with the password alone and
 * reuses the session: no OPAQUE login, hence no login rate limit for scripts. The access token is refreshed
 * when it has expired or on a 401, and every rotated refresh token is written back at once (atomically, 0600),
 * since the old one is dead: presenting it again would end the whole session family.
 * When the kept session is over (revoked, reused, expired) or the keys changed elsewhere (another client
 * rotated them), the command logs in with OPAQUE once and keeps the new session. Nothing logs out at the end.
 * A sensitive command (the server wants a login of the last few minutes: passwd, revoking a device, creating a
 * restic token) runs `fresh`: the password opens the kept state first (a wrong one never reaches the server),
 * then one OPAQUE login proves it to the server, and its session replaces the kept one, which is ended.
 */
import * as E from 'fp-ts/Either'
import {
  loadDevice,
  login,
  logout,
  resumeSession,
  type ClientOptions,
  type Session,
  type Tokens,
} from '../sdk'
import { clientOptions, nowOf, requireState, sdk, secret, wrappedDeviceKeyOf, type Ctx } from './context'
import { sessionServer } from './config'
import { secondFactorOf } from './second-factor'
import { cliError, ExitCode } from './exit-codes'
import { newLocalKey, type KeptTokens, type LocalKey } from './kept-keys'
import { endTokens, identityOf, isSessionOver, keptTokensOf, openKept, writeKept } from './kept-state'
import type { AnyCliState, CliState } from './state'

/** Refresh a little before the access token's expiry, so it does not lapse between check and use. */
const expirySlackMs = 30_000

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
  const opened = sdk(
    await login(options, {
      username,
      password: kept.k.password,
      deviceId,
      secondFactor: secondFactorOf(ctx),
    }),
  )
  if (opened.accountId !== accountId) {
    await logout(opened)
    return cliError(ExitCode.localState, 'local state belongs to another account; run `zkeb login` again')
  }
  return opened // its tokens reached the keeper through onTokens
}

/** The kept session's tokens, opened with the password (exit 4 or 10 as when resuming) but not resumed. */
const setAside = async (ctx: Ctx, kept: Kept, loaded: CliState): Promise<KeptTokens | undefined> => {
  const { unlock, session: sealed } = loaded
  if (unlock === undefined || sealed === undefined) return undefined
  const { local, tokens } = await openKept(ctx, loaded, unlock, sealed, kept.k.password)
  kept.k.local = local
  return tokens
}

/**
 * Runs `work` in this machine's kept session (resumed, or logged in once); rotated tokens are written back.
 * `fresh`: in a session that logged in just now, which then stays kept (see above).
 */
export const withSession = async <A>(
  ctx: Ctx,
  work: (session: Session, state: CliState, keeper: Keeper) => Promise<A>,
  mode: 'kept' | 'fresh' = 'kept',
): Promise<A> => {
  const loaded = await requireState(ctx)
  if (loaded.version === 2 && loaded.unlock === undefined)
    return cliError(ExitCode.notLoggedIn, 'logged out: run `zkeb login` first')
  const server = await sessionServer(ctx, loaded)
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'password')
  const kept = keeperFor(ctx, loaded, password)
  const options = { ...clientOptions(ctx, server.url), onTokens: kept.onTokens }
  try {
    const old = mode === 'fresh' && loaded.version === 2 ? await setAside(ctx, kept, loaded) : undefined
    const resumed =
      mode === 'kept' && loaded.version === 2 ? await resumeKept(ctx, kept, loaded, options) : undefined
    kept.k.session = resumed ?? (await logInAgain(ctx, kept, options))
    if (old !== undefined) await endTokens(ctx, server.url, old) // replaced: a failure leaves it to expire
    await kept.enqueue() // a new login, or a refresh while resuming: kept even if the device key fails next
    const session = await withThisDevice(ctx, kept, kept.k.session)
    return await work(session, kept.k.identity, kept.keeper)
  } finally {
    await kept.flush()
  }
}
