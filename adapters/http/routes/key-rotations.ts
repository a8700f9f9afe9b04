/**
 * The staged key rotation (application/key-rotation, issue #21): begin, the backups still to re-wrap, pages of
 * re-wrapped keys, commit, abort. The one-request form, `POST /api/v1/key-rotations`, is in accounts.ts.
 */
import {
  BeginKeyRotationInput,
  CommitKeyRotationInput,
  KeyRotationRef,
  type KeyRotationStarted,
  type KeyRotationState,
  ListPendingKeysInput,
  StageRotationKeysInput,
} from '../../../application/key-rotation'
import { jsonBodyMiddleware } from '../middleware/json-body'
import { integerParam, textParam } from '../query'
import { fromBody, fromPath, fromPathAndBody, fromQuery, jsonRoute, noBody, noInput } from './json-route'
import { type ApiRouter, authenticated, jsonBody, type RouteDeps } from './route-kit'

/** A page of 1,000 keys is about 150 KB of JSON; 256 KiB leaves room for whitespace. */
export const keyPageBodyBytes = 256 * 1024

/** How many pending backups a page lists when the client does not say. */
const defaultPendingLimit = 500

const startedDto = (out: KeyRotationStarted) => ({
  rotationId: out.rotationId,
  expiresAt: out.expiresAt.toISOString(),
  backupCount: out.backupCount,
})

const stateDto = (out: KeyRotationState) => ({
  rotationId: out.rotationId,
  expectedVersion: out.expectedVersion,
  keyBundle: out.keyBundle,
  createdAt: out.createdAt.toISOString(),
  expiresAt: out.expiresAt.toISOString(),
  backupCount: out.backupCount,
  stagedCount: out.stagedCount,
})

export const registerKeyRotationRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)
  const rotation = '/api/v1/key-rotations/:rotationId'

  router.post(
    '/api/v1/key-rotations/staged',
    ...authenticated(deps),
    jsonBody(deps),
    route(fromBody(BeginKeyRotationInput), uc.beginKeyRotation, startedDto, 201),
  )

  router.get(
    '/api/v1/key-rotations/current',
    ...authenticated(deps),
    route(noInput, (_, caller) => uc.getKeyRotation(caller), stateDto),
  )

  router.get(
    `${rotation}/pending`,
    ...authenticated(deps),
    route(
      (ctx) =>
        fromQuery(
          ListPendingKeysInput,
          { limit: integerParam, after: textParam },
          { limit: defaultPendingLimit, rotationId: (ctx.params as Record<string, string>)['rotationId'] },
        )(ctx),
      uc.listPendingKeys,
      (page) => ({ items: page.items, nextAfter: page.nextAfter }),
    ),
  )

  router.put(
    `${rotation}/keys`,
    ...authenticated(deps),
    jsonBodyMiddleware(keyPageBodyBytes, deps.limits.jsonBodyTimeoutMs),
    route(fromPathAndBody(StageRotationKeysInput), uc.stageRotationKeys, (out) => ({ staged: out.staged })),
  )

  router.post(
    `${rotation}/commit`,
    ...authenticated(deps),
    jsonBody(deps),
    route(fromPathAndBody(CommitKeyRotationInput), uc.commitKeyRotation, (out) => ({
      keyBundleVersion: out.keyBundleVersion,
    })),
  )

  router.delete(
    rotation,
    ...authenticated(deps),
    route(fromPath(KeyRotationRef), uc.abortKeyRotation, noBody, 204),
  )
}
