/**
 * restic access tokens: created (the secret shown once), listed and revoked by a logged-in session. restic
 * then presents one as the basic-auth password of /restic/{repo}/ (adapters/http/restic).
 * SECURITY: the secret leaves the server exactly once, in the creation answer; only its digest is kept.
 */
import * as E from 'fp-ts/Either'
import { CreateResticTokenInput, RevokeResticTokenInput } from '../../../application/restic'
import type { ResticToken } from '../../../domain/restic'
import { callerOf, pathParam } from '../http-types'
import { runTask, sendJson } from '../respond'
import {
  type ApiRouter,
  authenticated,
  decodeBody,
  decodeOrReply,
  jsonBody,
  type RouteDeps,
} from './route-kit'

const toResticTokenDto = (token: ResticToken) => ({
  tokenId: token.tokenId,
  deviceId: token.deviceId,
  appendOnly: token.appendOnly,
  createdAt: token.createdAt.toISOString(),
})

export const registerResticTokenRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps

  router.post('/api/v1/restic-tokens', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, CreateResticTokenInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.createResticToken(input.right, callerOf(ctx)), (created) => {
      ctx.set('Cache-Control', 'no-store')
      sendJson(ctx, 201, { ...toResticTokenDto(created.token), token: created.secret })
    })
  })

  router.get('/api/v1/restic-tokens', ...authenticated(deps), async (ctx) => {
    await runTask(ctx, logger, uc.listResticTokens(callerOf(ctx)), (tokens) =>
      sendJson(ctx, 200, { items: tokens.map(toResticTokenDto) }),
    )
  })

  router.delete('/api/v1/restic-tokens/:tokenId', ...authenticated(deps), async (ctx) => {
    const input = decodeOrReply(ctx, RevokeResticTokenInput, { tokenId: pathParam(ctx, 'tokenId') })
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.revokeResticToken(input.right, callerOf(ctx)), () => {
      ctx.status = 204
    })
  })
}
