/** The account commands: register, login, logout, whoami, passwd, recover, rotate-keys, quota. */
import { hostname } from 'node:os'
import { encodeBase64Url } from '../../../domain/base64url'
import {
  changePassword,
  getAccount,
  listDevices,
  loadDevice,
  login,
  logout,
  recover,
  register,
  registerDevice,
  rewrapDeviceKey,
  rotateKeys,
  saveKeyring,
  type Session,
} from '../../sdk'
import {
  clientOptions,
  sdk,
  secret,
  serverOf,
  withSession,
  wrappedDeviceKeyOf,
  type Ctx,
  type Output,
} from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { formatBytes } from '../progress'
import { readState, removeState, writeState, type CliState } from '../state'

const usernameArg = (ctx: Ctx, fallback?: string): string =>
  ctx.args.positionals[1] ??
  fallback ??
  cliError(ExitCode.usage, `usage: zkeb ${ctx.args.positionals[0]} USERNAME`)

/** This machine's device: the one in the local state when it still opens and is not revoked, else a new one. */
const ensureDevice = async (ctx: Ctx, session: Session, server: string): Promise<CliState> => {
  const existing = await readState(ctx.io.env).catch(() => undefined)
  if (existing?.accountId === session.accountId && existing.server === server) {
    const loaded = await loadDevice(session, existing.deviceId, wrappedDeviceKeyOf(ctx, existing))
    const devices = sdk(await listDevices(session))
    const active = devices.some((d) => d.deviceId === existing.deviceId && d.revokedAt === null)
    if (loaded._tag === 'Right' && active) return { ...existing, username: session.username }
  }
  const name = ctx.args.values.name ?? hostname()
  const device = sdk(await registerDevice(session, name))
  const state: CliState = {
    version: 1,
    server,
    username: session.username,
    accountId: session.accountId,
    deviceId: device.deviceId,
    wrappedDeviceKey: encodeBase64Url(device.wrappedPrivateKey),
  }
  await writeState(ctx.io.env, state)
  return state
}

/** Runs `work` with `session` and logs it out whatever happens. */
const thenLogout = async <A>(session: Session, work: () => Promise<A>): Promise<A> => {
  try {
    return await work()
  } finally {
    await logout(session)
  }
}

export const registerCommand = async (ctx: Ctx): Promise<Output> => {
  const username = usernameArg(ctx)
  const server = serverOf(ctx)
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'New password:', true)
  const options = clientOptions(ctx, server)
  const { accountId, recoveryKey } = sdk(await register(options, { username, password }))
  const session = sdk(await login(options, { username, password }))
  const state = await thenLogout(session, () => ensureDevice(ctx, session, server))
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
  const server = serverOf(ctx, existing)
  const password = await secret(ctx, 'ZKEB_PASSWORD', 'Password:')
  const session = sdk(await login(clientOptions(ctx, server), { username, password }))
  const state = await thenLogout(session, () => ensureDevice(ctx, session, server))
  return {
    json: { username, accountId: state.accountId, deviceId: state.deviceId, server },
    text: `Logged in as ${username}; this device is ${state.deviceId}.\n`,
  }
}

export const logoutCommand = async (ctx: Ctx): Promise<Output> => {
  const removed = await removeState(ctx.io.env)
  return {
    json: { loggedOut: removed },
    text: removed ? 'Logged out: this device’s local keys are removed.\n' : 'Not logged in.\n',
  }
}

export const whoamiCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session, state) => {
    const account = sdk(await getAccount(session))
    const json = {
      username: account.username,
      accountId: account.accountId,
      deviceId: state.deviceId,
      server: state.server,
    }
    return {
      json,
      text: `${account.username} (account ${account.accountId}) on ${state.server}, device ${state.deviceId}\n`,
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

export const passwdCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session) => {
    const newPassword = await secret(ctx, 'ZKEB_NEW_PASSWORD', 'New password:', true)
    sdk(await changePassword(session, newPassword))
    return { json: { changed: true }, text: 'Password changed; other sessions were ended.\n' }
  })

export const recoverCommand = async (ctx: Ctx): Promise<Output> => {
  const existing = await readState(ctx.io.env).catch(() => undefined)
  const username = usernameArg(ctx, existing?.username)
  const server = serverOf(ctx, existing)
  const recoveryKey = await secret(ctx, 'ZKEB_RECOVERY_KEY', 'Recovery key:')
  const newPassword = await secret(ctx, 'ZKEB_NEW_PASSWORD', 'New password:', true)
  const session = sdk(await recover(clientOptions(ctx, server), { username, recoveryKey, newPassword }))
  const state = await thenLogout(session, () => ensureDevice(ctx, session, server))
  return {
    json: { recovered: true, username, deviceId: state.deviceId },
    text: `Recovered ${username}: the new password is set, backups are untouched.\n`,
  }
}

export const rotateKeysCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session, state) => {
    const recoveryKey = await secret(ctx, 'ZKEB_RECOVERY_KEY', 'Recovery key:')
    const rotated = sdk(await rotateKeys(session, { recoveryKey }))
    const wrapped = sdk(await rewrapDeviceKey(session, rotated, wrappedDeviceKeyOf(ctx, state)))
    await writeState(ctx.io.env, { ...state, wrappedDeviceKey: encodeBase64Url(wrapped) })
    const keyring = await saveKeyring(session, rotated)
    const namesKept = keyring._tag === 'Right'
    return {
      json: { keyBundleVersion: rotated.keyBundleVersion, keyringSaved: namesKept },
      text:
        'Keys rotated: every backup’s data key is re-wrapped under the new master key.\n' +
        (namesKept
          ? 'Earlier names stay readable through the keyring backup (.zkeb-keyring): keep it.\n'
          : 'Warning: the keyring could not be saved, so names written before the rotation no longer open.\n'),
    }
  })
