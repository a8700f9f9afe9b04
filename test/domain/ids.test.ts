import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  AccountId,
  BackupId,
  BearerSecret,
  ByteCount,
  Ed25519PublicKey,
  Sha256Hex,
  Username,
  Uuid,
} from '../../domain/ids'

const v4 = '3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6a7b'
const v7 = '01890a5d-ac96-774b-bcce-b302099a8057'

describe('ids and opaque fields', () => {
  it('accepts lowercase UUIDs and refuses anything else', () => {
    expect(E.isRight(Uuid.decode(v4))).to.equal(true)
    expect(E.isRight(AccountId.decode(v7))).to.equal(true)
    expect(E.isRight(Uuid.decode(v4.toUpperCase()))).to.equal(false)
    expect(E.isRight(Uuid.decode('not-a-uuid'))).to.equal(false)
    expect(E.isRight(Uuid.decode(42))).to.equal(false)
  })

  it('accepts only v4 UUIDs as backup ids, since the client chooses them', () => {
    expect(E.isRight(BackupId.decode(v4))).to.equal(true)
    expect(E.isRight(BackupId.decode(v7))).to.equal(false)
  })

  it('bounds usernames by length and alphabet', () => {
    expect(E.isRight(Username.decode('alice@example.org'))).to.equal(true)
    expect(E.isRight(Username.decode('al'))).to.equal(false)
    expect(E.isRight(Username.decode('a'.repeat(129)))).to.equal(false)
    expect(E.isRight(Username.decode('alice smith'))).to.equal(false)
  })

  it('accepts only lowercase 64-digit hex as a SHA-256', () => {
    expect(E.isRight(Sha256Hex.decode('a'.repeat(64)))).to.equal(true)
    expect(E.isRight(Sha256Hex.decode('A'.repeat(64)))).to.equal(false)
    expect(E.isRight(Sha256Hex.decode('a'.repeat(63)))).to.equal(false)
  })

  it('measures opaque fields by their decoded length', () => {
    const bytes = (n: number) => Buffer.alloc(n, 7).toString('base64url')
    expect(E.isRight(Ed25519PublicKey.decode(bytes(32)))).to.equal(true)
    expect(E.isRight(Ed25519PublicKey.decode(bytes(31)))).to.equal(false)
    expect(E.isRight(Ed25519PublicKey.decode(bytes(33)))).to.equal(false)
    expect(E.isRight(BearerSecret.decode(bytes(32)))).to.equal(true)
    expect(E.isRight(BearerSecret.decode(`${bytes(32).slice(1)}=`))).to.equal(false)
  })

  it('accepts only non-negative safe integers as byte counts', () => {
    expect(E.isRight(ByteCount.decode(0))).to.equal(true)
    expect(E.isRight(ByteCount.decode(-1))).to.equal(false)
    expect(E.isRight(ByteCount.decode(1.5))).to.equal(false)
    expect(E.isRight(ByteCount.decode(2 ** 53))).to.equal(false)
  })
})
