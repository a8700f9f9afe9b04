/**
 * The engine in the test's own process, for what the CLI does not print (the chunk ids of each file): an SDK
 * login (the CLI's default key stretching), a device of its own, and the repository over the SDK's HTTP store.
 */
import * as E from 'fp-ts/Either'
import { asBufferSource } from '../../../client/crypto/bytes'
import { login, registerDevice } from '../../../client/sdk'
import { snapshotStoreOf } from '../../../client/snapshot/http-store'
import { openRepository, type Repository } from '../../../client/snapshot'

export type Credentials = Readonly<{ base: string; username: string; password: string }>

export type ConnectedClient = Readonly<{
  repo: Repository
  deviceId: string
  sign: (bytes: Uint8Array) => Promise<Uint8Array>
}>

export const right = <A>(what: string, result: E.Either<unknown, A>): A => {
  if (E.isLeft(result)) throw new Error(`${what}: ${JSON.stringify(result.left)}`)
  return result.right
}

export const connect = async ({ base, username, password }: Credentials): Promise<ConnectedClient> => {
  const options = { baseUrl: base }
  const loggedIn = right('login', await login(options, { username, password }))
  const { session } = right('device', await registerDevice(loggedIn, `e2e client ${process.pid}`))
  const repo = right('repository', await openRepository(snapshotStoreOf(session), session.keys.bkk))
  const device = session.device!
  return {
    repo,
    deviceId: device.deviceId,
    sign: async (bytes) =>
      new Uint8Array(await crypto.subtle.sign('Ed25519', device.privateKey, asBufferSource(bytes))),
  }
}
