/**
 * The staged key rotation (issue #21): begin, pages of re-wrapped keys in any order, commit or abort. The
 * one-request form for small accounts is application/accounts/rotate-keys.ts.
 */
import type { Ports } from '../ports'
import { abortKeyRotation, type AbortKeyRotation } from './abort-key-rotation'
import { beginKeyRotation, type BeginKeyRotation } from './begin-key-rotation'
import { commitKeyRotation, type CommitKeyRotation } from './commit-key-rotation'
import { getKeyRotation, type GetKeyRotation } from './get-key-rotation'
import { listPendingKeys, type ListPendingKeys } from './list-pending-keys'
import { stageRotationKeys, type StageRotationKeys } from './stage-rotation-keys'

export * from './abort-key-rotation'
export * from './begin-key-rotation'
export * from './commit-key-rotation'
export * from './get-key-rotation'
export * from './list-pending-keys'
export * from './stage-rotation-keys'

export type KeyRotationUseCases = Readonly<{
  beginKeyRotation: BeginKeyRotation
  getKeyRotation: GetKeyRotation
  listPendingKeys: ListPendingKeys
  stageRotationKeys: StageRotationKeys
  commitKeyRotation: CommitKeyRotation
  abortKeyRotation: AbortKeyRotation
}>

export const makeKeyRotationUseCases = (ports: Ports): KeyRotationUseCases => ({
  beginKeyRotation: beginKeyRotation(ports),
  getKeyRotation: getKeyRotation(ports),
  listPendingKeys: listPendingKeys(ports),
  stageRotationKeys: stageRotationKeys(ports),
  commitKeyRotation: commitKeyRotation(ports),
  abortKeyRotation: abortKeyRotation(ports),
})
