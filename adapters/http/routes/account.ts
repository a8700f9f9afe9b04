/** The caller's own account: key bundle, password change, recovery (unauthenticated), erasure. */
import * as E from 'fp-ts/Either'
import {
  FinishPasswordChangeInput,
  FinishRecoveryInput,
  StartPasswordChangeInput,
  StartRecoveryInput,
  UpdateKeyBundleInput,
} from '../../../application/accounts'
import { toAccountDto, toRecoveryStartedDto } from '../dto'
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

export const registerAccountRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps

  router.get('/api/v1/account', ...authenticated(deps), async (ctx) => {
    await runTask(ctx, logger, uc.getAccount(callerOf(ctx)), (view) => sendJson(ctx, 200, toAccountDto(view)))
  })

  router.put('/api/v1/account/key-bundle', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, UpdateKeyBundleInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.updateKeyBundle(input.right, callerOf(ctx)), (out) =>
      sendJson(ctx, 200, { keyBundleVersion: out.keyBundleVersion }),
    )
  })

  router.post('/api/v1/account/password/start', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, StartPasswordChangeInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.startPasswordChange(input.right, callerOf(ctx)), (out) =>
      sendJson(ctx, 200, { registrationResponse: out.registrationResponse }),
    )
  })

  router.post('/api/v1/account/password/finish', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, FinishPasswordChangeInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.finishPasswordChange(input.right, callerOf(ctx)), (out) =>
      sendJson(ctx, 200, { keyBundleVersion: out.keyBundleVersion }),
    )
  })

  router.post(
    '/api/v1/account/recovery/start',
    limited(deps, 'recovery', byIp),
    jsonBody(deps),
    limited(deps, 'recovery', byUsername),
    async (ctx) => {
      const input = decodeBody(ctx, StartRecoveryInput)
      if (E.isLeft(input)) return
      await runTask(ctx, logger, uc.startRecovery(input.right, requestContext(ctx)), (out) =>
        sendJson(ctx, 200, toRecoveryStartedDto(out)),
      )
    },
  )

  router.post(
    '/api/v1/account/recovery/finish',
    limited(deps, 'recovery', byIp),
    jsonBody(deps),
    async (ctx) => {
      const input = decodeBody(ctx, FinishRecoveryInput)
      if (E.isLeft(input)) return
      await runTask(ctx, logger, uc.finishRecovery(input.right, requestContext(ctx)), (out) =>
        sendJson(ctx, 200, { keyBundleVersion: out.keyBundleVersion }),
      )
    },
  )

  router.delete('/api/v1/account', ...authenticated(deps), async (ctx) => {
    await runTask(ctx, logger, uc.deleteAccount(callerOf(ctx)), () =>
      sendJson(ctx, 202, { status: 'erased' }),
    )
  })
}
