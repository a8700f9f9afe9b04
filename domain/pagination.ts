/**
 * Keyset pagination: a cursor names the last item of a page by (time, id), so pages stay stable while
 * rows are added, and no query ever uses an offset.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { decodeBase64Url, encodeBase64Url, isBase64Url } from './base64url'
import { InvalidCursor, invalidCursor } from './errors'
import { Uuid } from './ids'

export type Cursor = Readonly<{ at: Date; id: Uuid }>

const CursorWire = t.strict({ v: t.literal(1), at: t.string, id: Uuid })

/** `t.strict` strips unknown keys silently; a cursor with anything extra was not issued here. */
const hasOnlyCursorKeys = (json: unknown): boolean =>
  typeof json === 'object' && json !== null && Object.keys(json).sort().join(',') === 'at,id,v'

export const encodeCursor = (c: Cursor): string =>
  encodeBase64Url(new TextEncoder().encode(JSON.stringify({ v: 1, at: c.at.toISOString(), id: c.id })))

/** Anything that is not a cursor this server issues is refused, never guessed at. */
export const decodeCursor = (s: string): E.Either<InvalidCursor, Cursor> => {
  if (s.length === 0 || s.length > 256 || !isBase64Url(s)) return E.left(invalidCursor)
  return pipe(
    E.tryCatch(
      () => JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(s))) as unknown,
      () => invalidCursor,
    ),
    E.filterOrElse(hasOnlyCursorKeys, () => invalidCursor),
    E.flatMap((json) =>
      pipe(
        CursorWire.decode(json),
        E.mapLeft(() => invalidCursor),
      ),
    ),
    E.flatMap(({ at, id }) => {
      const date = new Date(at)
      return Number.isNaN(date.getTime()) || date.toISOString() !== at
        ? E.left(invalidCursor)
        : E.right({ at: date, id })
    }),
  )
}

export type Page<T> = Readonly<{ items: ReadonlyArray<T>; nextCursor: string | null }>

/** Adapters fetch `limit + 1` rows; the extra row only tells whether another page exists. */
export const toPage = <T>(rows: ReadonlyArray<T>, limit: number, cursorOf: (item: T) => Cursor): Page<T> => {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  }
}
