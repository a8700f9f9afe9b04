/** Registration and sessions (OPAQUE, protocol-v1): the unauthenticated, rate-limited entry points. */
import * as E from 'fp-ts/Either'
import { FinishLoginInput, RefreshSessionInput, StartLoginInput } from '../../../application/sessions'
import { FinishRegistrationInput, StartRegistrationInput } from '../../../application/accounts'
import { callerOf } from '../http-types'
import { byIp, byUsername } from '../middleware/rate-limit'
import { runTask, sendJson } from '../respond'
import {
  type ApiRouter,
  authenticated,
  decodeBody,
  jsonBody,
  limited,
  requestContext,
  type RouteDeps,
} from './route-kit'

export const registerSessionRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps
  const limit = (rule: 'login' | 'registration' | 'refresh', keyOf: typeof byUsername) =>
    limited(deps, rule, keyOf)

  router.post(
    '/api/v1/accounts/registration/start',
    limit('registration', byIp),
    jsonBody(deps),
    limit('registration', byUsername),
    async (ctx) => {
      const input = decodeBody(ctx, StartRegistrationInput)
      if (E.isLeft(input)) return
      await runTask(ctx, logger, uc.startRegistration(input.right, requestContext(ctx)), (out) =>
        sendJson(ctx, 200, { registrationResponse: out.registrationResponse }),
      )
    },
  )

  router.post(
    '/api/v1/accounts/registration/finish',
    limit('registration', byIp),
    jsonBody(deps),
    limit('registration', byUsername),
    async (ctx) => {
      const input = decodeBody(ctx, FinishRegistrationInput)
      if (E.isLeft(input)) return
      await runTask(ctx, logger, uc.finishRegistration(input.right, requestContext(ctx)), (out) =>
        sendJson(ctx, 201, { accountId: out.accountId }),
      )
    },
  )

  router.post(
    '/api/v1/sessions/start',
    limit('login', byIp),
    jsonBody(deps),
    limit('login', byUsername),
    async (ctx) => {
      const input = decodeBody(ctx, StartLoginInput)
      if (E.isLeft(input)) return
      await runTask(ctx, logger, uc.startLogin(input.right, requestContext(ctx)), (out) =>
        sendJson(ctx, 200, { loginId: out.loginId, loginResponse: out.loginResponse }),
      )
    },
  )

  // No charge here: a finish needs the single-use loginId of a start, which was charged.
  router.post('/api/v1/sessions/finish', jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, FinishLoginInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.finishLogin(input.right, requestContext(ctx)), (out) =>
      sendJson(ctx, 200, {
        accessToken: out.accessToken,
        refreshToken: out.refreshToken,
        expiresIn: out.expiresIn,
        accountId: out.accountId,
      }),
    )
  })

  router.post('/api/v1/sessions/refresh', limit('refresh', byIp), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, RefreshSessionInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.refreshSession(input.right, requestContext(ctx)), (out) =>
      sendJson(ctx, 200, {
        accessToken: out.accessToken,
        refreshToken: out.refreshToken,
        expiresIn: out.expiresIn,
      }),
    )
  })

  router.delete('/api/v1/sessions/current', ...authenticated(deps), async (ctx) => {
    await runTask(ctx, logger, uc.logout(callerOf(ctx)), () => {
      ctx.status = 204
    })
  })
}
