import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { encodeBase64Url } from '../../domain/base64url'
import { invalidCursor } from '../../domain/errors'
import type { Uuid } from '../../domain/ids'
import { decodeCursor, encodeCursor, toPage } from '../../domain/pagination'
import { at } from '../support/builders'

const id = '3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6a7b' as Uuid
const b64json = (v: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(v)))

describe('pagination', () => {
  it('accepts the cursors it issues, to the millisecond', () => {
    expect(decodeCursor(encodeCursor({ at: at(), id }))).to.deep.equal(E.right({ at: at(), id }))
  })

  it('refuses anything it did not issue', () => {
    const refused = [
      '',
      'x'.repeat(300),
      'not base64!',
      encodeBase64Url(new Uint8Array([0xff, 0xfe, 0xfd])),
      b64json('just a string'),
      b64json({ v: 2, at: at().toISOString(), id }),
      b64json({ v: 1, at: 'yesterday', id }),
      b64json({ v: 1, at: '2026-01-02T03:04:05Z', id }),
      b64json({ v: 1, at: at().toISOString(), id: 'nope' }),
      b64json({ v: 1, at: at().toISOString(), id, extra: true }),
    ]
    for (const cursor of refused) expect(decodeCursor(cursor)).to.deep.equal(E.left(invalidCursor))
  })

  it('returns a next cursor only when the extra row shows another page', () => {
    const rows = [1, 2, 3].map((n) => ({ n, at: at(n), id }))
    const cursorOf = (r: { at: Date; id: Uuid }) => ({ at: r.at, id: r.id })
    const page = toPage(rows, 2, cursorOf)
    expect(page.items.map((r) => r.n)).to.deep.equal([1, 2])
    expect(page.nextCursor).to.equal(encodeCursor({ at: at(2), id }))
    expect(toPage(rows, 3, cursorOf).nextCursor).to.equal(null)
    expect(toPage([], 3, cursorOf)).to.deep.equal({ items: [], nextCursor: null })
  })
})
