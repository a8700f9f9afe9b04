import { inMemoryName } from './in-memory-persistence'
import { snapshotObjectIndexContract } from './snapshot-object-index.contract'
import { inMemorySnapshots } from './snapshot-persistence'

snapshotObjectIndexContract(inMemoryName, inMemorySnapshots)
