/**
 * restic access tokens (application/restic): created (the secret shown once), listed and revoked by a
 * logged-in session. restic then presents one as the basic-auth password of /restic/{repo}/ (adapters/http/restic).
 * SECURITY: the secret leaves the server exactly once, in the creation answer (never cached); only its digest
 * is kept.
 */
import { CreateResticTokenInput, RevokeResticTokenInput } from '../../../application/restic'
import type { ResticToken } from '../../../domain/restic'
import { fromBody, fromPath, jsonRoute, noBody, noInput } from './json-route'
import { type ApiRouter, authenticated, jsonBody, type RouteDeps } from './route-kit'

const toResticTokenDto = (token: ResticToken) => ({
  tokenId: token.tokenId,
  deviceId: token.deviceId,
  appendOnly: token.appendOnly,
  repo: token.repo,
  createdAt: token.createdAt.toISOString(),
})

export const registerResticTokenRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.post(
    '/api/v1/restic-tokens',
    ...authenticated(deps),
    jsonBody(deps),
    route(
      fromBody(CreateResticTokenInput),
      uc.createResticToken,
      (created) => ({ ...toResticTokenDto(created.token), token: created.secret }),
      201,
      { 'Cache-Control': 'no-store' },
    ),
  )

  router.get(
    '/api/v1/restic-tokens',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.listResticTokens(caller),
      (tokens) => ({ items: tokens.map(toResticTokenDto) }),
    ),
  )

  router.delete(
    '/api/v1/restic-tokens/:tokenId',
    ...authenticated(deps),
    route(fromPath(RevokeResticTokenInput), uc.revokeResticToken, noBody, 204),
  )
}
