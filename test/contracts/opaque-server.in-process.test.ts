import { serenityOpaqueServer } from '../../adapters/crypto/serenity-opaque-server'
import { testOpaqueServerSetup } from '../support/in-memory-zkeb'
import { opaqueServerContract } from './opaque-server.contract'

opaqueServerContract('on the calling thread @memory', async () => ({
  server: await serenityOpaqueServer(await testOpaqueServerSetup()),
  close: () => Promise.resolve(),
}))
