/**
 * Accounts (application/accounts): registration (OPAQUE, unauthenticated and rate-limited), the caller's own
 * account (key bundle, password change, key rotation, erasure) and recovery (unauthenticated).
 */
import {
  FinishPasswordChangeInput,
  FinishRecoveryInput,
  FinishRegistrationInput,
  RotateKeysInput,
  StartPasswordChangeInput,
  StartRecoveryInput,
  StartRegistrationInput,
  UpdateKeyBundleInput,
} from '../../../application/accounts'
import { toAccountDto, toRecoveryStartedDto } from '../dto'
import { byIp, byUsername } from '../middleware/rate-limit'
import { fromBody, jsonRoute, noInput, publicly } from './json-route'
import { type ApiRouter, authenticated, jsonBody, limited, type RouteDeps } from './route-kit'

const keyBundleVersionDto = (out: { keyBundleVersion: number }) => ({
  keyBundleVersion: out.keyBundleVersion,
})

export const registerAccountRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.post(
    '/api/v1/accounts/registration/start',
    limited(deps, 'registration', byIp),
    jsonBody(deps),
    limited(deps, 'registration', byUsername),
    route(fromBody(StartRegistrationInput), publicly(uc.startRegistration), (out) => ({
      registrationResponse: out.registrationResponse,
    })),
  )

  router.post(
    '/api/v1/accounts/registration/finish',
    limited(deps, 'registration', byIp),
    jsonBody(deps),
    limited(deps, 'registration', byUsername),
    route(
      fromBody(FinishRegistrationInput),
      publicly(uc.finishRegistration),
      (out) => ({ accountId: out.accountId }),
      201,
    ),
  )

  router.get(
    '/api/v1/account',
    ...authenticated(deps),
    route(noInput, (_, caller) => uc.getAccount(caller), toAccountDto),
  )

  router.put(
    '/api/v1/account/key-bundle',
    ...authenticated(deps),
    jsonBody(deps),
    route(fromBody(UpdateKeyBundleInput), uc.updateKeyBundle, keyBundleVersionDto),
  )

  router.post(
    '/api/v1/account/password/start',
    ...authenticated(deps),
    jsonBody(deps),
    route(fromBody(StartPasswordChangeInput), uc.startPasswordChange, (out) => ({
      registrationResponse: out.registrationResponse,
    })),
  )

  router.post(
    '/api/v1/account/password/finish',
    ...authenticated(deps),
    jsonBody(deps),
    route(fromBody(FinishPasswordChangeInput), uc.finishPasswordChange, keyBundleVersionDto),
  )

  router.post(
    '/api/v1/key-rotations',
    ...authenticated(deps),
    jsonBody(deps),
    route(fromBody(RotateKeysInput), uc.rotateKeys, keyBundleVersionDto),
  )

  router.post(
    '/api/v1/account/recovery/start',
    limited(deps, 'recovery', byIp),
    jsonBody(deps),
    limited(deps, 'recovery', byUsername),
    route(fromBody(StartRecoveryInput), publicly(uc.startRecovery), toRecoveryStartedDto),
  )

  router.post(
    '/api/v1/account/recovery/finish',
    limited(deps, 'recovery', byIp),
    jsonBody(deps),
    route(fromBody(FinishRecoveryInput), publicly(uc.finishRecovery), keyBundleVersionDto),
  )

  router.delete(
    '/api/v1/account',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.deleteAccount(caller),
      () => ({ status: 'erased' }),
      202,
    ),
  )
}
