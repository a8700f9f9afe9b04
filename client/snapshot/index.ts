/**
 * ZKEB protocol v1.1 snapshots, client side (docs/protocol-snapshots.md): keys and object crypto, the FastCDC
 * chunker, trees, packs, the SnapshotStore port with its in-memory twin, and the engine (backup, restore, ls,
 * diff, check). Transport-agnostic: the HTTP adapter implements SnapshotStore.
 */
export * from './archiver'
export * from './check'
export * from './chunk-reader'
export * from './chunker'
export * from './errors'
export * from './excludes'
export * from './gear'
export * from './in-memory-store'
export * from './keys'
export * from './ls'
export * from './metadata'
export * from './object'
export * from './pack'
export * from './repository'
export * from './restorer'
export * from './snapshot-record'
export * from './store'
export * from './tree'
export { hex, fromHex } from './binary'
