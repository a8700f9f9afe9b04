/**
 * `zkeb audit`: the account's audit trail, its hash chain checked on this machine (domain/audit.ts
 * firstBrokenLink). A broken chain prints where it breaks and exits 8.
 */
import { fetchAudit } from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { CliError, ExitCode } from '../exit-codes'

export const auditCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session) => {
    const trail = sdk(await fetchAudit(session))
    if (trail.firstBroken >= 0) {
      const event = trail.events[trail.firstBroken]
      throw new CliError(
        ExitCode.integrity,
        `audit chain broken at event ${trail.firstBroken + 1} of ${trail.events.length} (${event?.eventId ?? '?'})`,
      )
    }
    const text =
      trail.events.map((e) => `${e.at}  ${e.type.padEnd(16)}  ${e.deviceId ?? '-'}\n`).join('') +
      `${trail.events.length} events; hash chain verified.\n`
    return { json: { verified: true, events: trail.events }, text }
  })
