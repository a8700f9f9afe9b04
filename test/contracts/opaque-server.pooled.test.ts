import { pooledOpaqueServer } from '../../adapters/crypto/pooled-opaque-server'
import { testOpaqueServerSetup } from '../support/in-memory-zkeb'
import { opaqueServerContract } from './opaque-server.contract'

opaqueServerContract('worker_threads pool of 2', async () => {
  const pooled = await pooledOpaqueServer(await testOpaqueServerSetup(), 2)
  return { server: pooled.server, close: pooled.close }
})
