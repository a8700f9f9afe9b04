import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { ResticFolderType, type ResticListEntry, ResticRepoName } from '../../domain/restic'
import type { ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export const ListResticObjectsInput = t.strict({ repo: ResticRepoName, type: ResticFolderType })
export type ListResticObjectsInput = t.TypeOf<typeof ListResticObjectsInput>
/** Names and sizes of one type's objects; a repository or type with none lists empty, never "not found". */
export type ListResticObjects = (
  input: ListResticObjectsInput,
  caller: ResticCaller,
) => TE.TaskEither<Unavailable, ReadonlyArray<ResticListEntry>>
export type ListResticObjectsDeps = Pick<Ports, 'resticObjects'>

export const listResticObjects =
  (deps: ListResticObjectsDeps): ListResticObjects =>
  (input, caller) =>
    deps.resticObjects.list(caller.accountId, input.repo, input.type)
