/**
 * Snapshots' JSON routes (application/snapshots, protocol v1.1 §8): the repository key, `has`, the records
 * (list, one, forget) and the stats. The binary routes (packs, object reads, create, refs) are in
 * snapshots-content.ts. All are authenticated, account-scoped and count against the account's rate limit.
 */
import {
  HasObjectsInput,
  ListSnapshotsInput,
  PutSnapshotKeyInput,
  SnapshotRef,
} from '../../../application/snapshots'
import { toPageDto } from '../dto'
import { callerOf } from '../http-types'
import { jsonBodyMiddleware } from '../middleware/json-body'
import { integerParam, textParam } from '../query'
import { runTask, sendJson } from '../respond'
import { fromBody, fromPath, fromQuery, jsonRoute, noBody, noInput } from './json-route'
import {
  type ApiRouter,
  authenticated,
  decodeOrReply,
  defaultPageLimit,
  jsonBody,
  type RouteDeps,
} from './route-kit'
import { toSnapshotDto, toSnapshotKeyDto } from './snapshots-dto'
import * as E from 'fp-ts/Either'

/**
 * Lists of object ids outgrow the 64 KiB of other JSON bodies: 5,000 ids of 64 hex characters are about 330 KB.
 * 512 KiB holds the largest `has` (and `read`, 1,000 ids) with room for whitespace.
 */
export const idListBodyBytes = 512 * 1024

/** The JSON body of a list of object ids (has, read). */
export const idListBody = (deps: RouteDeps) =>
  jsonBodyMiddleware(idListBodyBytes, deps.limits.jsonBodyTimeoutMs)

export const registerSnapshotRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.get(
    '/api/v1/snapshot-key',
    ...authenticated(deps),
    route(noInput, (_, caller) => uc.getSnapshotKey(caller), toSnapshotKeyDto),
  )

  router.put('/api/v1/snapshot-key', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeOrReply(ctx, PutSnapshotKeyInput, ctx.state.jsonBody)
    if (E.isLeft(input)) return
    await runTask(ctx, deps.logger, uc.putSnapshotKey(input.right, callerOf(ctx)), (out) =>
      sendJson(ctx, out.created ? 201 : 200, toSnapshotKeyDto(out.key)),
    )
  })

  router.post(
    '/api/v1/snapshot-objects/has',
    ...authenticated(deps),
    idListBody(deps),
    route(fromBody(HasObjectsInput), uc.hasObjects, (out) => ({ present: out.present })),
  )

  const listQuery = fromQuery(
    ListSnapshotsInput,
    { limit: integerParam, cursor: textParam, seriesId: textParam },
    { limit: defaultPageLimit },
  )
  router.get(
    '/api/v1/snapshots',
    ...authenticated(deps),
    route(listQuery, uc.listSnapshots, (page) => toPageDto(page, toSnapshotDto)),
  )

  router.get(
    '/api/v1/snapshots/:snapshotId',
    ...authenticated(deps),
    route(fromPath(SnapshotRef), uc.getSnapshot, toSnapshotDto),
  )

  router.delete(
    '/api/v1/snapshots/:snapshotId',
    ...authenticated(deps),
    route(fromPath(SnapshotRef), uc.deleteSnapshot, noBody, 204),
  )

  router.get(
    '/api/v1/snapshot-stats',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.getSnapshotStats(caller),
      (stats) => stats,
    ),
  )
}
