/** Devices (application/devices): Ed25519 public keys that sign uploads, and their revocation. */
import { AddDeviceInput, RevokeDeviceInput } from '../../../application/devices'
import { toDeviceDto } from '../dto'
import { fromBody, fromPath, jsonRoute, noBody, noInput } from './json-route'
import { type ApiRouter, authenticated, jsonBody, type RouteDeps } from './route-kit'

export const registerDeviceRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const uc = deps.useCases
  const route = jsonRoute(deps.logger)

  router.post(
    '/api/v1/devices',
    ...authenticated(deps),
    jsonBody(deps),
    route(
      fromBody(AddDeviceInput),
      uc.addDevice,
      (device) => ({ deviceId: device.deviceId, createdAt: device.createdAt.toISOString() }),
      201,
    ),
  )

  router.get(
    '/api/v1/devices',
    ...authenticated(deps),
    route(
      noInput,
      (_, caller) => uc.listDevices(caller),
      (devices) => ({ items: devices.map(toDeviceDto) }),
    ),
  )

  router.delete(
    '/api/v1/devices/:deviceId',
    ...authenticated(deps),
    route(fromPath(RevokeDeviceInput), uc.revokeDevice, noBody, 204),
  )
}
