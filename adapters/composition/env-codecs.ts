/**
 * Knows the shapes an environment variable may take (ports, URLs, secrets, byte counts) and how to document a
 * variable: each codec carries its default and meaning, from which docs/configuration.md is generated.
 * SECURITY: a codec's name says what the value should be; no failure ever carries the value itself.
 */
import * as t from 'io-ts'

/** Parses a present, non-empty variable; `undefined` means "not of this shape". */
const fromEnv = <A>(expected: string, parse: (raw: string) => A | undefined): t.Type<A, string, unknown> =>
  new t.Type<A, string, unknown>(
    expected,
    (u): u is A => u !== undefined,
    (u, c) => {
      const parsed = typeof u === 'string' ? parse(u.trim()) : undefined
      return parsed === undefined ? t.failure(u, c) : t.success(parsed)
    },
    String,
  )

export const integer = (min: number, max: number, expected: string) =>
  fromEnv(expected, (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined
  })

/** A process count from 1 to 256, or `auto` (one per CPU, resolved by the caller). */
export const workerCount = fromEnv<number | 'auto'>('an integer from 1 to 256, or auto', (raw) => {
  if (raw === 'auto') return 'auto'
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  return Number.isSafeInteger(n) && n >= 1 && n <= 256 ? n : undefined
})

export const port = (min: 0 | 1) => integer(min, 65535, `a port number from ${min} to 65535`)

export const oneOf = <K extends string>(values: ReadonlyArray<K>) =>
  fromEnv(`one of ${values.join(', ')}`, (raw) => values.find((v) => v === raw))

export const boolean = fromEnv('true or false', (raw) =>
  ['true', '1', 'yes'].includes(raw) ? true : ['false', '0', 'no'].includes(raw) ? false : undefined,
)

export const nonEmpty = fromEnv('a non-empty string', (raw) => (raw === '' ? undefined : raw))

const url = (schemes: RegExp, expected: string) =>
  fromEnv(expected, (raw) => (schemes.test(raw) && URL.canParse(raw) ? raw : undefined))

export const postgresUrl = url(/^postgres(ql)?:\/\/[^\s]+$/, 'a postgres:// or postgresql:// URL')
export const redisUrl = url(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL')
export const httpUrl = url(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL')

/** S3's own rule, which R2 and MinIO follow: 3–63 lowercase letters, digits, dots and hyphens. */
export const bucketName = fromEnv('a bucket name (3-63 lowercase letters, digits, dots, hyphens)', (raw) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) ? raw : undefined,
)

export const secret = fromEnv('a secret of at least 32 characters', (raw) =>
  raw.length >= 32 ? raw : undefined,
)

export const opaqueSetup = fromEnv(
  'an OPAQUE server setup (base64url, as made by `opaque.server.createSetup()`)',
  (raw) => (/^[A-Za-z0-9_-]{64,}$/.test(raw) ? raw : undefined),
)

export const maxBytes = 2 ** 50

/** What docs/configuration.md says of a variable: its default (as text) and what it means. */
export type VariableDoc = Readonly<{ default: string; meaning: string }>

/** A variable's codec, documented. */
export type Variable<A> = t.Type<A, string, unknown> & Readonly<{ doc: VariableDoc }>

/** An unset or empty variable takes `fallback`. */
const withDefault = <A, B extends A | null>(
  codec: t.Type<A, string, unknown>,
  fallback: B,
  doc: VariableDoc,
): Variable<A | B> =>
  Object.assign(
    new t.Type<A | B, string, unknown>(
      codec.name,
      (u): u is A | B => u === fallback || codec.is(u),
      (u, c) => (u === undefined || u === '' ? t.success(fallback) : codec.validate(u, c)),
      (a) => (a === null ? '' : codec.encode(a)),
    ),
    { doc },
  )

/** A number in the largest binary unit that divides it exactly: `10737418240` reads "10 GiB". */
export const inBytes = (n: number): string => {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const
  let unit = 0
  let value = n
  while (unit < units.length - 1 && value >= 1024 && value % 1024 === 0) {
    value /= 1024
    unit++
  }
  return `${value} ${units[unit]}`
}

/** Seconds in hours when whole: `86400` reads "24 h". */
export const inHours = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`

/**
 * A variable that `fallback` stands for when unset; `reading` glosses the default ("10 GiB", or a note such as
 * "the image sets `false`").
 */
export const setting = <A>(
  codec: t.Type<A, string, unknown>,
  fallback: A,
  meaning: string,
  reading?: string | ((value: A) => string),
): Variable<A> => {
  const gloss = typeof reading === 'function' ? reading(fallback) : reading
  return withDefault(codec, fallback, {
    default: `\`${codec.encode(fallback)}\`${gloss === undefined ? '' : ` (${gloss})`}`,
    meaning,
  })
}

/** A variable that may stay unset (null); `whenUnset` says what happens then ("off", "generated"). */
export const optional = <A>(
  codec: t.Type<A, string, unknown>,
  meaning: string,
  whenUnset?: string,
): Variable<A | null> =>
  withDefault(codec, null, { default: whenUnset === undefined ? 'unset' : `unset (${whenUnset})`, meaning })

export type Variables = Readonly<Record<string, t.Mixed & Readonly<{ doc: VariableDoc }>>>

/** Variables documented together, under a title (a section of docs/configuration.md). */
export type VariableGroup<P extends Variables> = Readonly<{
  title: string
  /** What the section's variables have in common; may be empty. */
  intro: string
  variables: P
}>

export const group = <P extends Variables>(title: string, intro: string, variables: P): VariableGroup<P> => ({
  title,
  intro,
  variables,
})

/** The decoded values of a group's variables. */
export type EnvOf<G extends VariableGroup<Variables>> = {
  readonly [K in keyof G['variables']]: t.TypeOf<G['variables'][K]>
}
