/**
 * Second factors (application/second-factors): TOTP enrolment (the secret shown once, then confirmed by a code
 * from the app, which hands out the recovery codes once), listing and removal by a logged-in session.
 * SECURITY: the TOTP secret and the recovery codes leave the server exactly once each, never cached.
 */
import { ConfirmTotpInput, RemoveFactorInput } from '../../../application/second-factors'
import { fromBody, fromPath, jsonRoute, noBody, noInput } from './json-route'
import { type ApiRouter, authenticated, jsonBody, type RouteDeps } from './route-kit'

const noStore = { 'Cache-Control': 'no-store' }

export const registerSecondFactorRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.post(
    '/api/v1/second-factors/totp',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.startTotpEnrolment(caller),
      (e) => ({ factorId: e.factorId, secret: e.secret, otpauthUri: e.otpauthUri }),
      201,
      noStore,
    ),
  )

  router.post(
    '/api/v1/second-factors/totp/confirm',
    ...authenticated(deps),
    jsonBody(deps),
    route(
      fromBody(ConfirmTotpInput),
      uc.confirmTotp,
      (confirmed) => ({ recoveryCodes: confirmed.recoveryCodes }),
      200,
      noStore,
    ),
  )

  router.get(
    '/api/v1/second-factors',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.listFactors(caller),
      (list) => ({
        items: list.factors.map((f) => ({
          factorId: f.factorId,
          kind: f.kind,
          createdAt: f.createdAt.toISOString(),
          confirmed: f.confirmed,
        })),
        recoveryCodesLeft: list.recoveryCodesLeft,
      }),
    ),
  )

  router.delete(
    '/api/v1/second-factors/:factorId',
    ...authenticated(deps),
    route(fromPath(RemoveFactorInput), uc.removeFactor, noBody, 204),
  )
}
