import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { AuditEvent } from '../../domain/audit'
import type { InvalidCursor } from '../../domain/errors'
import { type Page, toPage } from '../../domain/pagination'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { PageLimit } from '../shared/codecs'
import { optionalCursor } from '../backups/list-backups'

export const ListAuditInput = t.exact(
  t.intersection([t.type({ limit: PageLimit }), t.partial({ cursor: t.string })]),
)
export type ListAuditInput = t.TypeOf<typeof ListAuditInput>
/** The caller's own audit events, oldest first. */
export type ListAudit = (
  input: ListAuditInput,
  caller: Caller,
) => TE.TaskEither<InvalidCursor | Unavailable, Page<AuditEvent>>
export type ListAuditDeps = Pick<Ports, 'audit'>

export const listAudit =
  (deps: ListAuditDeps): ListAudit =>
  (input, caller) =>
    pipe(
      optionalCursor(input.cursor),
      TE.flatMap((cursor) => deps.audit.list(caller.accountId, { limit: input.limit, cursor })),
      TE.map((rows) => toPage(rows, input.limit, (e) => ({ at: e.at, id: e.eventId }))),
    )
