/** `zkeb devices` lists the account's devices (names decrypted here); `zkeb devices revoke ID` revokes one. */
import { listDevices, revokeDevice } from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { cliError, ExitCode } from '../exit-codes'

export const devicesCommand = (ctx: Ctx): Promise<Output> => {
  const [, sub, id] = ctx.args.positionals
  if (sub !== undefined && sub !== 'revoke')
    return cliError(ExitCode.usage, 'usage: zkeb devices [revoke ID]')
  if (sub === 'revoke' && id === undefined) return cliError(ExitCode.usage, 'usage: zkeb devices revoke ID')
  // Revoking is sensitive (the server wants a recent login), listing is not.
  return withSession(
    ctx,
    async (session) => {
      if (id !== undefined) {
        sdk(await revokeDevice(session, id))
        return { json: { deviceId: id, revoked: true }, text: `Revoked device ${id}.\n` }
      }
      const devices = sdk(await listDevices(session))
      const text = devices
        .map((d) => {
          const marks = `${d.current ? ' (this device)' : ''}${d.revokedAt === null ? '' : ` (revoked ${d.revokedAt})`}`
          return `${d.deviceId}  ${d.name ?? '(name unreadable)'}${marks}  last seen ${d.lastSeenAt}\n`
        })
        .join('')
      return { json: devices, text }
    },
    id === undefined ? 'kept' : 'fresh',
  )
}
