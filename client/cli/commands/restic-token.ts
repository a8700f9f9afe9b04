/**
 * `zkeb restic-token create [--append-only] [--repo NAME]`, `zkeb restic-token ls`,
 * `zkeb restic-token revoke ID`: tokens that let the restic client use this account as a REST backend. A token
 * made with `--repo` opens that repository only; without it, every repository (the printed URL names `main`).
 */
import { ResticRepoName } from '../../../domain/restic'
import {
  createResticToken,
  listResticTokens,
  resticRepositoryUrl,
  revokeResticToken,
  type ResticToken,
} from '../../sdk'
import { sdk, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { cliError, ExitCode } from '../exit-codes'

const usageText = 'usage: zkeb restic-token create [--append-only] [--repo NAME] | ls | revoke ID'

const describe = (t: ResticToken): string =>
  `${t.tokenId}  ${t.appendOnly ? 'append-only' : 'full'}  ` +
  `${t.repo === undefined || t.repo === null ? 'any repository' : `repository ${t.repo}`}  created ${t.createdAt}\n`

/** The --repo value, checked here as the server checks it: one path segment, not a name restic reserves. */
const repoOption = (ctx: Ctx): string | undefined => {
  const repo = ctx.args.values.repo
  if (repo !== undefined && !ResticRepoName.is(repo))
    return cliError(
      ExitCode.usage,
      '--repo must be one path segment of letters, digits, ".", "_" or "-", and not a name restic reserves ' +
        '(config, data, keys, locks, snapshots, index)',
    )
  return repo
}

export const resticTokenCommand = (ctx: Ctx): Promise<Output> => {
  const [, sub, id] = ctx.args.positionals
  if (sub === 'revoke' && id === undefined) return cliError(ExitCode.usage, usageText)
  if (sub !== 'create' && sub !== 'ls' && sub !== 'revoke') return cliError(ExitCode.usage, usageText)
  const repo = sub === 'create' ? repoOption(ctx) : undefined
  return withSession(
    ctx,
    async (session, state) => {
      if (sub === 'revoke') {
        sdk(await revokeResticToken(session, id!))
        return { json: { tokenId: id, revoked: true }, text: `Revoked restic token ${id}.\n` }
      }
      if (sub === 'ls') {
        const tokens = sdk(await listResticTokens(session)).map((t) => ({ ...t, repo: t.repo ?? null }))
        return { json: tokens, text: tokens.map(describe).join('') }
      }
      const appendOnly = ctx.args.booleans.has('append-only')
      const created = sdk(
        await createResticToken(session, { appendOnly, ...(repo === undefined ? {} : { repo }) }),
      )
      const repository = resticRepositoryUrl(state.server, state.username, created.token, repo ?? 'main')
      return {
        json: { ...created, repo: created.repo ?? null, repository },
        text:
          `Created ${appendOnly ? 'an append-only' : 'a'} restic token ${created.tokenId} (shown once)` +
          `${repo === undefined ? ', for every repository' : `, for repository ${repo} only`}.\n` +
          `export RESTIC_REPOSITORY='${repository}'\n`,
      }
      // Creating is sensitive (the server wants a recent login); listing and revoking are not.
    },
    sub === 'create' ? 'fresh' : 'kept',
  )
}
