/**
 * `zkeb 2fa` lists the account's second factors; `2fa enrol` adds a TOTP authenticator (the secret shown once,
 * confirmed by a code from the app; the first one prints the recovery codes once); `2fa remove ID` removes one.
 * Enrolling and removing log in again first (the server wants a recent login for them).
 */
import {
  confirmTotp,
  listSecondFactors,
  removeSecondFactor,
  type Session,
  startTotpEnrolment,
} from '../../sdk'
import { sdk, secret, type Ctx, type Output } from '../context'
import { cliError, ExitCode } from '../exit-codes'
import { withSession } from '../kept-session'

const usage = 'usage: zkeb 2fa [list | enrol | remove ID]'

const enrol = async (ctx: Ctx, session: Session): Promise<Output> => {
  const started = sdk(await startTotpEnrolment(session))
  ctx.io.stderr.write(
    `Add this secret to your authenticator app:\n  ${started.secret}\n  ${started.otpauthUri}\n`,
  )
  const code = (await secret(ctx, 'ZKEB_TOTP', 'authentication code')).trim()
  const recoveryCodes = sdk(await confirmTotp(session, started.factorId, code))
  const codes =
    recoveryCodes.length === 0
      ? ''
      : `Recovery codes (each logs in once without the app; keep them offline, they are not shown again):\n${recoveryCodes.map((c) => `  ${c}\n`).join('')}`
  return {
    json: { factorId: started.factorId, recoveryCodes },
    text: `Second factor ${started.factorId} enrolled: logins now need a code.\n${codes}`,
  }
}

const list = async (session: Session): Promise<Output> => {
  const factors = sdk(await listSecondFactors(session))
  const lines = factors.items.map(
    (f) => `${f.factorId}  ${f.kind}  added ${f.createdAt}${f.confirmed ? '' : ' (not confirmed)'}\n`,
  )
  return {
    json: factors,
    text: `${lines.join('') || 'No second factor.\n'}Recovery codes left: ${factors.recoveryCodesLeft}\n`,
  }
}

export const twoFactorCommand = (ctx: Ctx): Promise<Output> => {
  const [, sub = 'list', id] = ctx.args.positionals
  if (!['list', 'enrol', 'remove'].includes(sub) || (sub === 'remove') !== (id !== undefined))
    return cliError(ExitCode.usage, usage)
  return withSession(
    ctx,
    async (session) => {
      if (sub === 'enrol') return enrol(ctx, session)
      if (id === undefined) return list(session)
      sdk(await removeSecondFactor(session, id))
      return { json: { factorId: id, removed: true }, text: `Removed second factor ${id}.\n` }
    },
    sub === 'list' ? 'kept' : 'fresh',
  )
}
