/**
 * Knows how to decode untrusted input with a use case's codec and say what is wrong by field PATH only.
 * SECURITY: io-ts's PathReporter quotes the offending value, which may be key material or ciphertext, so
 * it is never used here.
 */
import * as E from 'fp-ts/Either'
import type * as t from 'io-ts'

/** The path naming the input itself (a body that is not an object, say). */
export const rootPath = '(root)'

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !(u instanceof Date)

type Inspectable = { readonly _tag?: string; readonly type?: Inspectable } | undefined

/** Exact, refinement (brand) and readonly codecs validate in their parent's context entry: look through them. */
const unwrap = (type: Inspectable): Inspectable =>
  type?._tag === 'ExactType' || type?._tag === 'RefinementType' || type?._tag === 'ReadonlyType'
    ? unwrap(type.type)
    : type

/** `a.b.0.c` from an io-ts context, skipping the synthetic member indexes of intersections and unions. */
const pathOf = (context: t.Context): string => {
  const keys: string[] = []
  for (let i = 1; i < context.length; i++) {
    const parent = unwrap(context[i - 1]?.type as Inspectable)
    if (parent?._tag === 'IntersectionType' || parent?._tag === 'UnionType') continue
    keys.push(context[i]?.key ?? '')
  }
  return keys.length === 0 ? rootPath : keys.join('.')
}

/**
 * Paths present in `input` but absent from `decoded`: `t.exact` strips unknown keys silently, and api-v1
 * rejects them, so the decoded value is compared with what was sent.
 */
export const unknownPaths = (input: unknown, decoded: unknown, prefix: string[] = []): string[] => {
  if (Array.isArray(input) && Array.isArray(decoded)) {
    return input.flatMap((item, i) => unknownPaths(item, decoded[i], [...prefix, String(i)]))
  }
  if (!isPlainObject(input) || !isPlainObject(decoded)) return []
  return Object.keys(input).flatMap((key) =>
    Object.prototype.hasOwnProperty.call(decoded, key)
      ? unknownPaths(input[key], decoded[key], [...prefix, key])
      : [[...prefix, key].join('.')],
  )
}

const unique = (paths: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(paths)].sort()

/** Right(value) when `input` fits `codec` exactly; Left(paths) naming every bad or unknown field. */
export const decodeExact = <A, O>(
  codec: t.Type<A, O, unknown>,
  input: unknown,
): E.Either<ReadonlyArray<string>, A> => {
  const result = codec.decode(input)
  if (E.isLeft(result)) return E.left(unique(result.left.map((error) => pathOf(error.context))))
  const extra = unknownPaths(input, result.right)
  return extra.length > 0 ? E.left(unique(extra)) : E.right(result.right)
}
