/** Key rotation (all-or-nothing re-wrap of every live backup's data key) and the audit trail. */
import * as E from 'fp-ts/Either'
import { ListAuditInput } from '../../../application/audit'
import { RotateKeysInput } from '../../../application/accounts'
import { toAuditEventDto, toPageDto } from '../dto'
import { invalidInput } from '../error-response'
import { callerOf } from '../http-types'
import { integerParam, readQuery, textParam } from '../query'
import { runTask, sendError, sendJson } from '../respond'
import { defaultPageLimit } from './backups'
import {
  type ApiRouter,
  authenticated,
  decodeBody,
  decodeOrReply,
  jsonBody,
  type RouteDeps,
} from './route-kit'

export const registerKeyAndAuditRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps

  router.post('/api/v1/key-rotations', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, RotateKeysInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.rotateKeys(input.right, callerOf(ctx)), (out) =>
      sendJson(ctx, 200, { keyBundleVersion: out.keyBundleVersion }),
    )
  })

  router.get('/api/v1/audit', ...authenticated(deps), async (ctx) => {
    const query = readQuery(
      ctx.query,
      { limit: integerParam, cursor: textParam },
      { limit: defaultPageLimit },
    )
    if (E.isLeft(query)) return sendError(ctx, invalidInput(query.left))
    const input = decodeOrReply(ctx, ListAuditInput, query.right)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.listAudit(input.right, callerOf(ctx)), (page) =>
      sendJson(ctx, 200, toPageDto(page, toAuditEventDto)),
    )
  })
}
