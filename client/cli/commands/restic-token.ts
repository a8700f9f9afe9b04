/**
 * `zkeb restic-token create [--append-only] [--repo NAME]`, `zkeb restic-token ls`,
 * `zkeb restic-token revoke ID`: tokens that let the restic client use this account as a REST backend.
 */
import { createResticToken, listResticTokens, resticRepositoryUrl, revokeResticToken } from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { cliError, ExitCode } from '../exit-codes'

const usageText = 'usage: zkeb restic-token create [--append-only] [--repo NAME] | ls | revoke ID'

export const resticTokenCommand = (ctx: Ctx): Promise<Output> => {
  const [, sub, id] = ctx.args.positionals
  if (sub === 'revoke' && id === undefined) return cliError(ExitCode.usage, usageText)
  if (sub !== 'create' && sub !== 'ls' && sub !== 'revoke') return cliError(ExitCode.usage, usageText)
  return withSession(ctx, async (session, state) => {
    if (sub === 'revoke') {
      sdk(await revokeResticToken(session, id!))
      return { json: { tokenId: id, revoked: true }, text: `Revoked restic token ${id}.\n` }
    }
    if (sub === 'ls') {
      const tokens = sdk(await listResticTokens(session))
      const text = tokens
        .map((t) => `${t.tokenId}  ${t.appendOnly ? 'append-only' : 'full'}  created ${t.createdAt}\n`)
        .join('')
      return { json: tokens, text }
    }
    const appendOnly = ctx.args.booleans.has('append-only')
    const created = sdk(await createResticToken(session, { appendOnly }))
    const repository = resticRepositoryUrl(
      state.server,
      state.username,
      created.token,
      ctx.args.values.repo ?? 'main',
    )
    return {
      json: { ...created, repository },
      text:
        `Created ${appendOnly ? 'an append-only' : 'a'} restic token ${created.tokenId} (shown once).\n` +
        `export RESTIC_REPOSITORY='${repository}'\n`,
    }
  })
}
