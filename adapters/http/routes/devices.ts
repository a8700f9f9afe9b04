/** Devices: Ed25519 public keys that sign uploads, and their revocation. */
import * as E from 'fp-ts/Either'
import { AddDeviceInput, RevokeDeviceInput } from '../../../application/devices'
import { toDeviceDto } from '../dto'
import { callerOf, pathParam } from '../http-types'
import { runTask, sendJson } from '../respond'
import {
  type ApiRouter,
  authenticated,
  decodeBody,
  decodeOrReply,
  jsonBody,
  type RouteDeps,
} from './route-kit'

export const registerDeviceRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const { useCases: uc, logger } = deps

  router.post('/api/v1/devices', ...authenticated(deps), jsonBody(deps), async (ctx) => {
    const input = decodeBody(ctx, AddDeviceInput)
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.addDevice(input.right, callerOf(ctx)), (device) =>
      sendJson(ctx, 201, { deviceId: device.deviceId, createdAt: device.createdAt.toISOString() }),
    )
  })

  router.get('/api/v1/devices', ...authenticated(deps), async (ctx) => {
    await runTask(ctx, logger, uc.listDevices(callerOf(ctx)), (devices) =>
      sendJson(ctx, 200, { items: devices.map(toDeviceDto) }),
    )
  })

  router.delete('/api/v1/devices/:deviceId', ...authenticated(deps), async (ctx) => {
    const input = decodeOrReply(ctx, RevokeDeviceInput, { deviceId: pathParam(ctx, 'deviceId') })
    if (E.isLeft(input)) return
    await runTask(ctx, logger, uc.revokeDevice(input.right, callerOf(ctx)), () => {
      ctx.status = 204
    })
  })
}
