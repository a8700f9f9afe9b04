import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import type { Backup } from '../../domain/backup'
import type { InvalidCursor } from '../../domain/errors'
import { DeviceId } from '../../domain/ids'
import { type Cursor, decodeCursor, type Page, toPage } from '../../domain/pagination'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { PageLimit } from '../shared/codecs'

export const ListBackupsInput = t.exact(
  t.intersection([
    t.type({ limit: PageLimit, trash: t.boolean }),
    t.partial({ cursor: t.string, deviceId: DeviceId }),
  ]),
)
export type ListBackupsInput = t.TypeOf<typeof ListBackupsInput>
/** Live backups (or, with `trash`, the trash only), newest first, keyset-paginated. */
export type ListBackups = (
  input: ListBackupsInput,
  caller: Caller,
) => TE.TaskEither<InvalidCursor | Unavailable, Page<Backup>>
export type ListBackupsDeps = Pick<Ports, 'backups'>

/** Decodes an optional cursor; one this server did not issue is InvalidCursor. */
export const optionalCursor = (cursor: string | undefined): TE.TaskEither<InvalidCursor, O.Option<Cursor>> =>
  cursor === undefined ? TE.right(O.none) : pipe(TE.fromEither(decodeCursor(cursor)), TE.map(O.some))

const backupCursor = (b: Backup): Cursor => ({ at: b.createdAt, id: b.backupId })

export const listBackups =
  (deps: ListBackupsDeps): ListBackups =>
  (input, caller) =>
    pipe(
      optionalCursor(input.cursor),
      TE.flatMap((cursor) =>
        deps.backups.list(caller.accountId, {
          limit: input.limit,
          cursor,
          deviceId: O.fromNullable(input.deviceId),
          trash: input.trash,
        }),
      ),
      TE.map((rows) => toPage(rows, input.limit, backupCursor)),
    )
