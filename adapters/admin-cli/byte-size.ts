/**
 * Reads a size as operators write it: plain bytes (`1048576`), or a number and a unit, B, KB/MB/GB/TB (powers
 * of 1000) or KiB/MiB/GiB/TiB (powers of 1024), letter case ignored, a space allowed between (`10GiB`,
 * `1.5 TB`). Computed exactly (no floating point), so `1.1GB` is 1,100,000,000 bytes; a size that is not a
 * whole number of bytes, or beyond 2^53 - 1, is refused.
 */
const units: Readonly<Record<string, bigint>> = {
  '': 1n,
  b: 1n,
  kb: 1000n,
  mb: 1000n ** 2n,
  gb: 1000n ** 3n,
  tb: 1000n ** 4n,
  kib: 1024n,
  mib: 1024n ** 2n,
  gib: 1024n ** 3n,
  tib: 1024n ** 4n,
}

export const sizeHelp =
  'a whole number of bytes, or a number with a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 10GiB'

/** The number of bytes `text` names, or null when it names none. */
export const parseByteSize = (text: string): number | null => {
  const match = /^\s*(\d{1,20})(?:\.(\d{1,20}))?\s*([A-Za-z]{0,3})\s*$/.exec(text)
  if (match === null) return null
  const [, whole = '', fraction = '', unitName = ''] = match
  const unit = units[unitName.toLowerCase()]
  if (unit === undefined) return null
  const scale = 10n ** BigInt(fraction.length)
  const scaled = (BigInt(whole) * scale + BigInt(fraction === '' ? '0' : fraction)) * unit
  if (scaled % scale !== 0n) return null
  const bytes = scaled / scale
  return bytes > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(bytes)
}
