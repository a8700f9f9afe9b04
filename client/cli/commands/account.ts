/**
 * The account commands: register, login, logout, whoami, recover, quota. register, login and recover end logged
 * in: they keep the session in the local state (state.ts). passwd and rotate-keys live in account-keys.ts.
 */
import { hostname } from 'node:os'
import { encodeBase64Url } from '../../../domain/base64url'
import {
  getAccount,
  listDevices,
  loadDevice,
  login,
  logout,
  recover,
  register,
  registerDevice,
  type Session,
} from '../../sdk'
import { chooseServer, keepServer, sessionServer, sourceText } from '../config'
import { clientOptions, sdk, secret, wrappedDeviceKeyOf, type Ctx, type Output } from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { newLocalKey } from '../kept-keys'
import { withSession } from '../kept-session'
import { endKeptSession, identityOf, keptTokensOf, writeKept } from '../kept-state'
import { formatBytes } from '../progress'
import { secondFactorOf } from '../second-factor'
import { readState, writeState, type AnyCliState, type CliState } from '../state'

const usernameArg = (ctx: Ctx, fallback?: string): string =>
  ctx.args.positionals[1] ??
  fallback ??
  cliError(ExitCode.usage, `usage: zkeb ${ctx.args.positionals[0]} USERNAME`)

/**
 * This machine's device: the one in the local state when it still opens and is not revoked, else a new one
 * (written at once, logged out, so a failure later still leaves the device key for `zkeb login`).
 */
const ensureDevice = async (ctx: Ctx, session: Session, server: string): Promise<CliState> => {
  const existing = await readState(ctx.io.env).catch(() => undefined)
  if (existing?.accountId === session.accountId && existing.server === server) {
    const loaded = await loadDevice(session, existing.deviceId, wrappedDeviceKeyOf(ctx, existing))
    const devices = sdk(await listDevices(session))
    const active = devices.some((d) => d.deviceId === existing.deviceId && d.revokedAt === null)
    if (loaded._tag === 'Right' && active) return { ...identityOf(existing), username: session.username }
  }
  const name = ctx.args.values.name ?? hostname()
  const device = sdk(await registerDevice(session, name))
  const state: CliState = {
    version: 2,
    server,
    username: session.username,
    accountId: session.accountId,
    deviceId: device.deviceId,
    wrappedDeviceKey: encodeBase64Url(device.wrappedPrivateKey),
  }
  await writeState(ctx.io.env, state)
  return state
}

/**
 * Keeps a session for `state`'s device (state.ts): `session` itself when it is bound to that device
 * (`boundTo`), else a second login bound to it, so revoking the device ends the kept session too.
 */
const keepSession = async (
  ctx: Ctx,
  state: CliState,
  password: string,
  session: Session,
  boundTo: string | undefined,
): Promise<void> => {
  let kept = session
  if (boundTo !== state.deviceId) {
    const input = {
      username: state.username,
      password,
      deviceId: state.deviceId,
      secondFactor: secondFactorOf(ctx),
    }
    kept = sdk(await login(clientOptions(ctx, state.server), input))
    await logout(session)
  }
  const tokens = kept.http.transport.tokens()
  if (tokens === undefined) return cliError(ExitCode.unexpected, 'the login handed back no session')
  const local = await newLocalKey(password, ctx.options.keyStretching)
  await writeKept(ctx, state, local, kept, keptTokensOf(ctx, tokens))
}

/** Logs in as the device of the local state when it is this user's, else (or if refused) as no device yet. */
const logInAs = async (
  ctx: Ctx,
  username: string,
  password: string,
  server: string,
  existing?: AnyCliState,
) => {
  const options = clientOptions(ctx, server)
  const secondFactor = secondFactorOf(ctx)
  const deviceId =
    existing?.server === server && existing.username === username ? existing.deviceId : undefined
  if (deviceId !== undefined) {
    const bound = await login(options, { username, password, deviceId, secondFactor })
    if (bound._tag === 'Right') return { session: bound.right, boundTo: deviceId }
  }
  return { session: sdk(await login(options, { username, password, secondFactor })), boundTo: undefined }
}

export const registerCommand = async (ctx: Ctx): Promise<Output> => {
  const username = usernameArg(ctx)
  const existing = await readState(ctx.io.env).catch(() => undefined)
  const server = (await chooseServer(ctx, existing)).url
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'new password', true)
  const options = clientOptions(ctx, server)
  const { accountId, recoveryKey } = sdk(await register(options, { username, password }))
  const session = sdk(await login(options, { username, password }))
  const state = await ensureDevice(ctx, session, server)
  await keepSession(ctx, state, password, session, undefined)
  await keepServer(ctx, server)
  return {
    json: { accountId, username, deviceId: state.deviceId, recoveryKey },
    text:
      `Registered ${username} (account ${accountId}); this device is ${state.deviceId}.\n\n` +
      'Recovery key: shown once, never stored. Keep it offline; it is the only way back in without the password.\n\n' +
      `  ${recoveryKey}\n`,
  }
}

export const loginCommand = async (ctx: Ctx): Promise<Output> => {
  const existing = await readState(ctx.io.env).catch(() => undefined)
  const username = usernameArg(ctx, existing?.username)
  const server = (await chooseServer(ctx, existing)).url
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'password')
  const { session, boundTo } = await logInAs(ctx, username, password, server, existing)
  if (existing !== undefined && existing.accountId === session.accountId)
    await endKeptSession(ctx, existing, password).catch(() => 'failed') // the session this login replaces
  const state = await ensureDevice(ctx, session, server)
  await keepSession(ctx, state, password, session, boundTo)
  await keepServer(ctx, server)
  return {
    json: { username, accountId: state.accountId, deviceId: state.deviceId, server },
    text: `Logged in as ${username}; this device is ${state.deviceId}.\n`,
  }
}

/** Ends the kept session on the server and forgets it; the device key stays so `zkeb login` resumes it. */
export const logoutCommand = async (ctx: Ctx): Promise<Output> => {
  const existing = await readState(ctx.io.env)
  if (existing === undefined || (existing.version === 2 && existing.unlock === undefined))
    return { json: { loggedOut: false }, text: 'Not logged in.\n' }
  const kept = existing.version === 2 && existing.session !== undefined
  const ended = kept
    ? await endKeptSession(ctx, existing, await secret(ctx, 'ZKEB_PASSWORD', 'password'))
    : 'none'
  await writeState(ctx.io.env, identityOf(existing))
  if (ended === 'failed')
    ctx.io.stderr.write('zkeb: warning: the server did not end the session; it expires on its own\n')
  return {
    json: { loggedOut: true, sessionEnded: ended !== 'failed' },
    text: 'Logged out: the session is ended and forgotten; this device’s key stays for `zkeb login`.\n',
  }
}

export const whoamiCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session, state) => {
    const account = sdk(await getAccount(session))
    const server = await sessionServer(ctx, state)
    const json = {
      username: account.username,
      accountId: account.accountId,
      deviceId: state.deviceId,
      server: server.url,
      serverSource: server.source,
    }
    return {
      json,
      text:
        `${account.username} (account ${account.accountId}) on ${server.url} (from ` +
        `${sourceText[server.source]}), device ${state.deviceId}\n`,
    }
  })

export const quotaCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session) => {
    const { quota } = sdk(await getAccount(session))
    const percent = quota.limitBytes > 0 ? ((quota.usedBytes / quota.limitBytes) * 100).toFixed(1) : '0'
    return {
      json: quota,
      text: `${formatBytes(quota.usedBytes)} of ${formatBytes(quota.limitBytes)} used (${percent}%)\n`,
    }
  })

export const recoverCommand = async (ctx: Ctx): Promise<Output> => {
  const existing = await readState(ctx.io.env).catch(() => undefined)
  const username = usernameArg(ctx, existing?.username)
  const server = (await chooseServer(ctx, existing)).url
  const recoveryKey = await secret(ctx, 'ZKEB_RECOVERY_KEY', 'recovery key')
  const newPassword = await secret(ctx, 'ZKEB_NEW_PASSWORD', 'new password', true)
  const session = sdk(
    await recover(clientOptions(ctx, server), {
      username,
      recoveryKey,
      newPassword,
      secondFactor: secondFactorOf(ctx),
    }),
  )
  const state = await ensureDevice(ctx, session, server)
  await keepSession(ctx, state, newPassword, session, undefined)
  await keepServer(ctx, server)
  return {
    json: { recovered: true, username, deviceId: state.deviceId },
    text: `Recovered ${username}: the new password is set, backups are untouched.\n`,
  }
}
