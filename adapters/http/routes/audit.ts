/** The audit trail (application/audit): the caller's own events, newest first, in keyset pages. */
import { ListAuditInput } from '../../../application/audit'
import { toAuditEventDto, toPageDto } from '../dto'
import { integerParam, textParam } from '../query'
import { fromQuery, jsonRoute } from './json-route'
import { type ApiRouter, authenticated, defaultPageLimit, type RouteDeps } from './route-kit'

export const registerAuditRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const route = jsonRoute(deps.logger)
  const listQuery = fromQuery(
    ListAuditInput,
    { limit: integerParam, cursor: textParam },
    { limit: defaultPageLimit },
  )

  router.get(
    '/api/v1/audit',
    ...authenticated(deps),
    route(listQuery, deps.useCases.listAudit, (page) => toPageDto(page, toAuditEventDto)),
  )
}
