/** The SnapshotStore contract against the SDK's HTTP store (client/snapshot/http-store.ts) and a real server. */
import { httpCaller } from '../../adapters/http/http-test-kit'
import { aSnapshotUser } from '../../support/snapshot-http-kit'
import { startSnapshotServer } from '../../support/snapshot-server'
import { snapshotStoreContract } from './snapshot-store.contract'

snapshotStoreContract('SDK over HTTP, PostgreSQL', async () => {
  const server = await startSnapshotServer()
  return {
    fresh: async () => {
      const user = await aSnapshotUser({ call: httpCaller(server.base) })
      const tick = () => Promise.resolve(server.clock.advance(1000))
      return { store: user.store, deviceId: user.deviceId, sign: user.signer.sign, tick }
    },
    close: () => server.close(),
  }
})
