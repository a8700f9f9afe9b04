/**
 * Knows how to read a single-range `Range: bytes=…` header against a known size (RFC 9110 §14):
 * `a-b`, `a-` and the suffix `-n`. A header that does not parse, or asks for several ranges, is ignored
 * (the whole body is served, as the RFC allows); one that parses but lies beyond the end is unsatisfiable.
 */
import type { ByteRange } from '../../application/ports/blob-store'

export type RangeRequest =
  | Readonly<{ kind: 'whole' }>
  | Readonly<{ kind: 'partial'; range: ByteRange }>
  | Readonly<{ kind: 'unsatisfiable' }>

const whole: RangeRequest = { kind: 'whole' }
const unsatisfiable: RangeRequest = { kind: 'unsatisfiable' }
const rangePattern = /^bytes=([0-9]{0,16})-([0-9]{0,16})$/

const suffix = (length: number, sizeBytes: number): RangeRequest =>
  length === 0 || sizeBytes === 0
    ? unsatisfiable
    : { kind: 'partial', range: { start: Math.max(0, sizeBytes - length), end: sizeBytes - 1 } }

export const resolveRange = (header: string | undefined, sizeBytes: number): RangeRequest => {
  const match = rangePattern.exec((header ?? '').trim())
  if (match === null) return whole
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return whole
  if (first === '') return suffix(Number(last), sizeBytes)
  const start = Number(first)
  if (last !== '' && Number(last) < start) return whole
  if (start >= sizeBytes) return unsatisfiable
  const end = last === '' ? sizeBytes - 1 : Math.min(Number(last), sizeBytes - 1)
  return { kind: 'partial', range: { start, end } }
}

/** `If-None-Match` holds `etag` (weakly compared, RFC 9110 §13.1.2) or `*`. */
export const matchesAnyEtag = (header: string | undefined, etag: string): boolean =>
  (header ?? '')
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag)
