/** The restic REST backend's use cases and the token management around them. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { createResticToken, type CreateResticToken } from './create-restic-token'
import { listResticTokens, type ListResticTokens } from './list-restic-tokens'
import { revokeResticToken, type RevokeResticToken } from './revoke-restic-token'
import { authenticateRestic, type AuthenticateRestic } from './authenticate-restic'
import { findResticObject, type FindResticObject } from './find-restic-object'
import { readResticObject, type ReadResticObject } from './read-restic-object'
import { listResticObjects, type ListResticObjects } from './list-restic-objects'
import { saveResticObject, type SaveResticObject } from './save-restic-object'
import { deleteResticObject, type DeleteResticObject } from './delete-restic-object'

export * from './authenticate-restic'
export * from './create-restic-token'
export * from './delete-restic-object'
export * from './find-restic-object'
export * from './list-restic-objects'
export * from './list-restic-tokens'
export * from './read-restic-object'
export * from './revoke-restic-token'
export * from './save-restic-object'

export type ResticUseCases = Readonly<{
  createResticToken: CreateResticToken
  listResticTokens: ListResticTokens
  revokeResticToken: RevokeResticToken
  authenticateRestic: AuthenticateRestic
  findResticObject: FindResticObject
  readResticObject: ReadResticObject
  listResticObjects: ListResticObjects
  saveResticObject: SaveResticObject
  deleteResticObject: DeleteResticObject
}>

export const makeResticUseCases = (ports: Ports): ResticUseCases => ({
  createResticToken: createResticToken(ports),
  listResticTokens: listResticTokens(ports),
  revokeResticToken: revokeResticToken(ports),
  authenticateRestic: authenticateRestic(ports),
  findResticObject: findResticObject(ports),
  readResticObject: readResticObject(ports),
  listResticObjects: listResticObjects(ports),
  saveResticObject: saveResticObject(ports),
  deleteResticObject: deleteResticObject(ports),
})
