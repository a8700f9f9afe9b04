import { expect } from 'chai'
import { snapshotSigningDigestBytes, snapshotSigningString } from '../../domain/snapshot-signing'

describe('snapshot signing bytes (protocol v1.1 §7)', () => {
  const digests = {
    snapshotId: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab',
    seriesId: 'a'.repeat(64),
    metadataSha256: 'b'.repeat(64),
    refsSha256: 'c'.repeat(64),
    refCount: 3,
  }

  it('is the documented string, one field a line, each line ended', () => {
    expect(snapshotSigningString(digests)).to.equal(
      `zkeb/v1.1/snapshot\n${digests.snapshotId}\n${'a'.repeat(64)}\n${'b'.repeat(64)}\n${'c'.repeat(64)}\n3\n`,
    )
  })

  it('signs the UTF-8 bytes of that string', () => {
    expect(Buffer.from(snapshotSigningDigestBytes(digests)).toString('utf8')).to.equal(
      snapshotSigningString(digests),
    )
  })
})
