/**
 * Knows the sealed state a logged-in CLI keeps (state.ts, kept-keys.ts): opening it with the password, writing
 * it back for a session, and ending the session it holds. kept-session.ts runs commands in it.
 */
import * as E from 'fp-ts/Either'
import { httpClientFor, wrongPassword, ZkebError, type SdkError, type Session, type Tokens } from '../sdk'
import { clientOptions, nowOf, sdk, type Ctx } from './context'
import {
  localKeyFor,
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

export const idsOf = (s: AnyCliState): Ids => ({ accountId: s.accountId, deviceId: s.deviceId })

export const keptTokensOf = (ctx: Ctx, tokens: Tokens): KeptTokens => ({
  ...tokens,
  expiresAt: nowOf(ctx) + tokens.expiresIn * 1000,
})

/** A 401: the kept session is over on the server (log in again; nothing left to end). */
export const isSessionOver = (e: SdkError): boolean => e._tag === 'ApiError' && e.status === 401

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

/** Opens both blobs with the password: exit 4 when it is wrong, exit 10 when a blob is corrupt or swapped. */
export const openKept = async (
  ctx: Ctx,
  loaded: CliState,
  unlock: Unlock,
  sealed: string,
  password: string,
) => {
  const local = await localKeyFor(password, unlock)
  if (E.isLeft(local)) return corruptedState(ctx.io.env)
  const secrets = await openUnlock(local.right, idsOf(loaded), unlock)
  if (E.isLeft(secrets))
    return secrets.left === 'unopened' ? sdk(E.left(wrongPassword)) : corruptedState(ctx.io.env)
  const tokens = await openSession(secrets.right.umk, idsOf(loaded), sealed)
  if (E.isLeft(tokens)) return corruptedState(ctx.io.env)
  return { local: local.right, secrets: secrets.right, tokens: tokens.right }
}

/** Ends the session of `tokens` on the server: 'ended' (or already over), else 'failed'. */
export const endTokens = async (
  ctx: Ctx,
  server: string,
  tokens: KeptTokens,
): Promise<'ended' | 'failed'> => {
  const http = httpClientFor(clientOptions(ctx, server))
  http.transport.setTokens(tokens)
  try {
    await http.logout()
    return 'ended'
  } catch (e) {
    return e instanceof ZkebError && isSessionOver(e.error) ? 'ended' : 'failed'
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
  return endTokens(ctx, loaded.server, tokens)
}
