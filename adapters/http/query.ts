/**
 * Knows how to turn a query string into a use case's input: only the named parameters, each at most once,
 * converted from text, then decoded by the codec like a body. Unknown parameters are a 400, like unknown
 * JSON fields.
 */
import type { ParsedUrlQuery } from 'node:querystring'
import * as E from 'fp-ts/Either'

/** Converts a parameter's text; a value it cannot convert is passed on as text for the codec to refuse. */
export type QueryParam = (text: string) => unknown

export const integerParam: QueryParam = (text) => (/^[0-9]{1,9}$/.test(text) ? Number(text) : text)
export const booleanParam: QueryParam = (text) => (text === 'true' ? true : text === 'false' ? false : text)
export const textParam: QueryParam = (text) => text

/** Right(values) with `defaults` filled in, or Left(paths) naming unknown or repeated parameters. */
export const readQuery = (
  query: ParsedUrlQuery,
  params: Readonly<Record<string, QueryParam>>,
  defaults: Readonly<Record<string, unknown>>,
): E.Either<ReadonlyArray<string>, Record<string, unknown>> => {
  const values: Record<string, unknown> = { ...defaults }
  const bad: string[] = []
  for (const [name, raw] of Object.entries(query)) {
    const convert = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined
    if (convert === undefined || typeof raw !== 'string') bad.push(name)
    else values[name] = convert(raw)
  }
  return bad.length > 0 ? E.left(bad.sort()) : E.right(values)
}
