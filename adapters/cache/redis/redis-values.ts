/**
 * Knows how every Redis adapter talks to Redis: commands run lazily and never reject (a failure is
 * Unavailable('redis')), and stored values are JSON checked by an io-ts codec both ways, so a corrupt or
 * unexpected value becomes Unavailable (naming field paths, never values) instead of a crash.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import { unavailable, type Unavailable } from '../../../application/errors'

export const redisUnavailable = unavailable('redis')

/** Runs one Redis call when the task runs (never before), turning a rejection into Unavailable('redis'). */
export const command = <A>(run: () => Promise<A>): TE.TaskEither<Unavailable, A> =>
  TE.tryCatch(run, redisUnavailable)

/** A Date kept as an ISO-8601 string with milliseconds. */
export const IsoDate = new t.Type<Date, string, unknown>(
  'IsoDate',
  (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime()),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c)
    const date = new Date(u)
    return Number.isNaN(date.getTime()) ? t.failure(u, c) : t.success(date)
  },
  (d) => d.toISOString(),
)

/** Field paths of a failed decode, never the values (they may be secret). */
const paths = (errors: t.Errors): ReadonlyArray<string> => [
  ...new Set(
    errors.map((e) =>
      e.context
        .map((entry) => entry.key)
        .filter((key) => key !== '')
        .join('.'),
    ),
  ),
]

/** What a stored value that fails to parse or decode reports: the key's kind and the paths, no content. */
export type CorruptValue = Readonly<{ corrupt: string; paths: ReadonlyArray<string> }>

/** The string Redis stores for `value`. */
export const encodeJson =
  <A, O>(codec: t.Type<A, O, unknown>) =>
  (value: A): string =>
    JSON.stringify(codec.encode(value))

/** Parses and decodes a stored string; anything else becomes Unavailable('redis'). */
export const decodeJson =
  <A, O>(codec: t.Type<A, O, unknown>) =>
  (raw: string): E.Either<Unavailable, A> =>
    pipe(
      E.tryCatch(
        () => JSON.parse(raw) as unknown,
        (): CorruptValue => ({ corrupt: codec.name, paths: ['(not JSON)'] }),
      ),
      E.flatMap((json) =>
        pipe(
          codec.decode(json),
          E.mapLeft((errors): CorruptValue => ({ corrupt: codec.name, paths: paths(errors) })),
        ),
      ),
      E.mapLeft(redisUnavailable),
    )
