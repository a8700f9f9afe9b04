/**
 * Looks for client-side secrets in bytes the server holds or wrote. Each secret is searched in every encoding a
 * careless server could have used to store or log it: the raw bytes, hex (both cases), and standard and URL-safe
 * base64 at each of the three byte alignments (a secret embedded in a longer base64 string is encoded
 * differently depending on its offset; only the characters it alone determines are searched).
 */

export type Secret = Readonly<{ label: string; bytes: Uint8Array }>
export type Source = Readonly<{ name: string; bytes: Buffer }>
export type Finding = Readonly<{ source: string; secret: string; encoding: string }>

export const textSecret = (label: string, text: string): Secret => ({
  label,
  bytes: Buffer.from(text, 'utf8'),
})

type Pattern = Readonly<{ encoding: string; bytes: Buffer }>

/** The base64 characters fixed by `bytes` alone when `offset` (0–2) other bytes precede it. */
const base64Core = (bytes: Uint8Array, offset: number): string => {
  const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(bytes)]).toString('base64')
  const firstBit = 8 * offset
  const endBit = 8 * (offset + bytes.length)
  return encoded.slice(Math.ceil(firstBit / 6), Math.floor(endBit / 6))
}

const patternsOf = (secret: Secret): ReadonlyArray<Pattern> => {
  const hex = Buffer.from(secret.bytes).toString('hex')
  const base64 = [0, 1, 2].flatMap((offset) => {
    const core = base64Core(secret.bytes, offset)
    const url = core.replaceAll('+', '-').replaceAll('/', '_')
    return [
      { encoding: `base64@${offset}`, bytes: Buffer.from(core) },
      ...(url === core ? [] : [{ encoding: `base64url@${offset}`, bytes: Buffer.from(url) }]),
    ]
  })
  return [
    { encoding: 'raw', bytes: Buffer.from(secret.bytes) },
    { encoding: 'hex', bytes: Buffer.from(hex) },
    { encoding: 'HEX', bytes: Buffer.from(hex.toUpperCase()) },
    ...base64,
  ].filter((p, i, all) => all.findIndex((q) => q.bytes.equals(p.bytes)) === i)
}

/** Every (source, secret, encoding) where the secret occurs; empty when the server holds none of them. */
export const scan = (
  sources: ReadonlyArray<Source>,
  secrets: ReadonlyArray<Secret>,
): ReadonlyArray<Finding> => {
  const tooShort = secrets.filter((s) => s.bytes.length < 8)
  if (tooShort.length > 0)
    throw new Error(
      `secrets too short to search without false alarms: ${tooShort.map((s) => s.label).join(', ')}`,
    )
  const patterns = secrets.map((secret) => ({ secret: secret.label, patterns: patternsOf(secret) }))
  return sources.flatMap((source) =>
    patterns.flatMap(({ secret, patterns: ps }) =>
      ps
        .filter((p) => source.bytes.includes(p.bytes))
        .map((p) => ({ source: source.name, secret, encoding: p.encoding })),
    ),
  )
}

/**
 * Sources where `value` appears as a stand-alone decimal number (not inside a longer run of digits, hex or
 * base64), e.g. a plaintext length written into a column, a log field or a cache entry.
 */
export const sourcesWithNumber = (sources: ReadonlyArray<Source>, value: number): ReadonlyArray<string> => {
  const alone = new RegExp(`(?<![0-9A-Za-z+/_-])${value}(?![0-9A-Za-z+/_-])`)
  return sources.filter((s) => alone.test(s.bytes.toString('latin1'))).map((s) => s.name)
}
