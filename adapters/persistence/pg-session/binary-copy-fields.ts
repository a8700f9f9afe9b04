/**
 * Knows PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format") well enough to read a COPY of one non-null bytea column: an 11-byte signature, int32 flags, an int32
 * header-extension length and the extension; then per tuple an int16 field count (1) and an int32 field length
 * followed by that many bytes; a field count of -1 ends the data.
 *
 * The field bytes are yielded as views of the buffers that arrive, never copied nor gathered into whole rows,
 * so a 256 KiB chunk passes through as the socket's pieces and nothing holds more than one piece. Only the
 * small fixed-size parts (at most 19 bytes) are copied, into one reused buffer, when a piece splits them.
 */
const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')
const headerBytes = signature.length + 8

type Stage = 'header' | 'extension' | 'tuple' | 'length' | 'field' | 'ended'

const malformed = (why: string) => new Error(`binary COPY stream: ${why}`)

/** The bytes of every field, in order, of a binary COPY whose rows each hold one non-null bytea field. */
export async function* binaryCopyFields(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
): AsyncGenerator<Buffer> {
  const fixed = Buffer.alloc(headerBytes)
  let filled = 0
  let stage: Stage = 'header'
  /** Bytes still to come of the field or header extension being read. */
  let left = 0
  for await (const piece of source) {
    let at = 0
    while (at < piece.length) {
      if (stage === 'field' || stage === 'extension') {
        const taken = Math.min(left, piece.length - at)
        if (stage === 'field') yield piece.subarray(at, at + taken)
        at += taken
        left -= taken
        if (left === 0) stage = 'tuple'
        continue
      }
      if (stage === 'ended') throw malformed('data after the trailer')
      const need = stage === 'header' ? headerBytes : stage === 'tuple' ? 2 : 4
      const taken = Math.min(need - filled, piece.length - at)
      piece.copy(fixed, filled, at, at + taken)
      filled += taken
      at += taken
      if (filled < need) break
      filled = 0
      if (stage === 'header') {
        if (!fixed.subarray(0, signature.length).equals(signature)) throw malformed('bad signature')
        left = fixed.readInt32BE(signature.length + 4)
        stage = left === 0 ? 'tuple' : 'extension'
      } else if (stage === 'tuple') {
        const fields = fixed.readInt16BE(0)
        if (fields === -1) stage = 'ended'
        else if (fields === 1) stage = 'length'
        else throw malformed(`expected one field per row, got ${fields}`)
      } else {
        left = fixed.readInt32BE(0)
        if (left < 0) throw malformed('unexpected null field')
        stage = left === 0 ? 'tuple' : 'field'
      }
    }
  }
  if (stage !== 'ended') throw malformed('ended before its trailer')
}
