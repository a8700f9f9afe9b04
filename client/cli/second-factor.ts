/**
 * Knows how the CLI gives a login its second factor when the server asks for one: ZKEB_RECOVERY_CODE, else
 * ZKEB_TOTP, else the prompt (six digits are a TOTP code, anything else a recovery code).
 * A first `zkeb login` on a machine logs in twice (the second login binds the session to the new device), and
 * a code is taken once: the second ask always prompts for the app's next code.
 * SECURITY: read like the password (no echo), never printed or kept.
 */
import type { SecondFactorProof } from '../sdk'
import { type Ctx, secret } from './context'

// Keyed by the run's io, which every context of one run shares.
const asked = new WeakSet<Ctx['io']>()

const proofOf = (typed: string): SecondFactorProof =>
  /^[0-9]{6}$/.test(typed) ? { kind: 'totp', code: typed } : { kind: 'recovery-code', code: typed }

export const secondFactorOf = (ctx: Ctx) => async (): Promise<SecondFactorProof> => {
  if (asked.has(ctx.io)) {
    const next = await ctx.io.readSecret('Next authentication code (the one you typed is spent): ')
    if (typeof next === 'string' && next.trim() !== '') return proofOf(next.trim())
  }
  asked.add(ctx.io)
  const recovery = ctx.io.env['ZKEB_RECOVERY_CODE']
  if (recovery !== undefined && recovery !== '') return { kind: 'recovery-code', code: recovery }
  return proofOf((await secret(ctx, 'ZKEB_TOTP', 'authentication code')).trim())
}
