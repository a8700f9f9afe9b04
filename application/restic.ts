/** The restic REST backend's use cases and the token management around them, wired from the ports. */
import {
  authenticateRestic,
  type AuthenticateRestic,
  createResticToken,
  type CreateResticToken,
  deleteResticObject,
  type DeleteResticObject,
  findResticObject,
  type FindResticObject,
  listResticObjects,
  type ListResticObjects,
  listResticTokens,
  type ListResticTokens,
  readResticObject,
  type ReadResticObject,
  revokeResticToken,
  type RevokeResticToken,
  saveResticObject,
  type SaveResticObject,
} from './use-cases'
import type { Ports } from './ports'

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
