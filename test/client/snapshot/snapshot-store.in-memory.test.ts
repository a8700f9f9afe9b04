import { inMemorySnapshotStore } from '../../../client/snapshot'
import { snapshotStoreContract } from './snapshot-store.contract'

snapshotStoreContract('in-memory twin', () =>
  Promise.resolve({
    fresh: () =>
      Promise.resolve({
        store: inMemorySnapshotStore(),
        deviceId: 'b3c0b1f5-0d55-4f6c-9d0c-9a0b7a0f4a11',
        sign: () => Promise.resolve(new Uint8Array(64)),
        tick: () => Promise.resolve(),
      }),
    close: () => Promise.resolve(),
  }),
)
