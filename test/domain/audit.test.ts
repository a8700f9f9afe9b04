import { createHash, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import {
  type AuditEvent,
  auditCanonicalBytes,
  firstBrokenLink,
  genesisHash,
  sanitizeRequestId,
} from '../../domain/audit'
import type { EventId, Sha256Hex } from '../../domain/ids'
import { aDeviceId, anAccountId, at } from '../support/builders'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Builds a well-linked chain the way an audit repository must. */
const chain = (n: number): AuditEvent[] => {
  const accountId = anAccountId()
  const events: AuditEvent[] = []
  let prevHash = genesisHash
  for (let i = 0; i < n; i++) {
    const body = {
      eventId: randomUUID() as EventId,
      accountId,
      type: 'login' as const,
      at: at(i),
      deviceId: i % 2 === 0 ? null : aDeviceId(),
      requestId: `req-${i}`,
      prevHash,
    }
    const hash = sha256Hex(auditCanonicalBytes(body)) as Sha256Hex
    events.push({ ...body, hash })
    prevHash = hash
  }
  return events
}

describe('audit chain', () => {
  it('hashes one canonical field a line, ending with a newline', () => {
    const [e] = chain(1)
    expect(new TextDecoder().decode(auditCanonicalBytes(e!))).to.equal(
      `zkeb/v1/audit\n${e!.eventId}\nlogin\n${at(0).toISOString()}\n\nreq-0\n${genesisHash}\n`,
    )
  })

  it('holds for a well-linked chain, and for an empty one', () => {
    expect(firstBrokenLink(chain(5), sha256Hex)).to.equal(-1)
    expect(firstBrokenLink([], sha256Hex)).to.equal(-1)
  })

  it('finds a tampered field', () => {
    const events = chain(5)
    events[2] = { ...events[2]!, type: 'logout' }
    expect(firstBrokenLink(events, sha256Hex)).to.equal(2)
  })

  it('finds a removed event', () => {
    const events = chain(5)
    events.splice(1, 1)
    expect(firstBrokenLink(events, sha256Hex)).to.equal(1)
  })

  it('checks a later page against the hash that came before it', () => {
    const events = chain(4)
    expect(firstBrokenLink(events.slice(2), sha256Hex, events[1]!.hash)).to.equal(-1)
    expect(firstBrokenLink(events.slice(2), sha256Hex)).to.equal(0)
  })

  it('lets only plain, bounded request ids into the trail', () => {
    expect(sanitizeRequestId('req-1.a:b_c')).to.equal('req-1.a:b_c')
    expect(sanitizeRequestId(undefined)).to.equal(undefined)
    expect(sanitizeRequestId('has space')).to.equal(undefined)
    expect(sanitizeRequestId('x'.repeat(129))).to.equal(undefined)
  })
})
