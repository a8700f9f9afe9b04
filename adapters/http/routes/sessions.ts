/** Sessions (application/sessions): OPAQUE login (protocol-v1), refresh-token rotation and logout. */
import { FinishLoginInput, RefreshSessionInput, StartLoginInput } from '../../../application/sessions'
import { byIp, byUsername } from '../middleware/rate-limit'
import { fromBody, jsonRoute, noBody, noInput, publicly } from './json-route'
import { type ApiRouter, authenticated, jsonBody, limited, type RouteDeps } from './route-kit'

export const registerSessionRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.post(
    '/api/v1/sessions/start',
    limited(deps, 'login', byIp),
    jsonBody(deps),
    limited(deps, 'login', byUsername),
    route(fromBody(StartLoginInput), publicly(uc.startLogin), (out) => ({
      loginId: out.loginId,
      loginResponse: out.loginResponse,
    })),
  )

  // No charge here: a finish needs the single-use loginId of a start, which was charged.
  router.post(
    '/api/v1/sessions/finish',
    jsonBody(deps),
    route(fromBody(FinishLoginInput), publicly(uc.finishLogin), (out) => ({
      accessToken: out.accessToken,
      refreshToken: out.refreshToken,
      expiresIn: out.expiresIn,
      accountId: out.accountId,
    })),
  )

  router.post(
    '/api/v1/sessions/refresh',
    limited(deps, 'refresh', byIp),
    jsonBody(deps),
    route(fromBody(RefreshSessionInput), publicly(uc.refreshSession), (out) => ({
      accessToken: out.accessToken,
      refreshToken: out.refreshToken,
      expiresIn: out.expiresIn,
    })),
  )

  router.delete(
    '/api/v1/sessions/current',
    ...authenticated(deps),
    route(noInput, (_, caller) => uc.logout(caller), noBody, 204),
  )
}
