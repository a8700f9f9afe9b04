import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  deriveBackupKeys,
  generateDek,
  generateUmk,
  rewrapDek,
  unwrapDek,
  unwrapUmkWithPassword,
  wrapDek,
  wrapUmkWithPassword,
} from '../../../client/crypto'
import { aBackupId, anotherBackupId } from '../support'

const exportKey = crypto.getRandomValues(new Uint8Array(64))

describe('key hierarchy', () => {
  it('makes a different 32-byte UMK and DEK every time', () => {
    const keys = [generateUmk(), generateUmk(), generateDek(), generateDek()]
    keys.forEach((k) => expect(k.length).to.equal(32))
    expect(new Set(keys.map((k) => k.join())).size).to.equal(4)
  })

  describe('the password-wrapped UMK', () => {
    it('unwraps with the same OPAQUE export key and is nonce || ciphertext || tag (60 bytes)', async () => {
      const umk = generateUmk()
      const wrapped = await wrapUmkWithPassword(umk, exportKey)
      expect(wrapped.length).to.equal(12 + 32 + 16)
      expect(await unwrapUmkWithPassword(wrapped, exportKey)).to.deep.equal(E.right(umk))
    })

    it('refuses another password’s export key, a flipped byte, and a truncated wrap', async () => {
      const wrapped = await wrapUmkWithPassword(generateUmk(), exportKey)
      const otherKey = crypto.getRandomValues(new Uint8Array(64))
      expect(await unwrapUmkWithPassword(wrapped, otherKey)).to.deep.equal(
        E.left({ _tag: 'DecryptionFailed', what: 'umk' }),
      )
      const flipped = wrapped.slice()
      flipped[20]! ^= 0x80
      expect(await unwrapUmkWithPassword(flipped, exportKey)).to.deep.equal(
        E.left({ _tag: 'DecryptionFailed', what: 'umk' }),
      )
      expect(await unwrapUmkWithPassword(wrapped.subarray(0, 27), exportKey)).to.deep.equal(
        E.left({ _tag: 'MalformedCiphertext', what: 'umk' }),
      )
    })
  })

  describe('backup keys', () => {
    it('derives a BKK and an MEK that differ from each other and from the UMK, the same every time', async () => {
      const umk = generateUmk()
      const first = await deriveBackupKeys(umk)
      expect(await deriveBackupKeys(umk)).to.deep.equal(first)
      expect(new Set([umk, first.bkk, first.mek].map((k) => k.join())).size).to.equal(3)
    })

    it('unwraps a DEK only for the backup it was wrapped for', async () => {
      const { bkk } = await deriveBackupKeys(generateUmk())
      const dek = generateDek()
      const wrapped = await wrapDek(bkk, dek, aBackupId)
      expect(await unwrapDek(bkk, wrapped, aBackupId)).to.deep.equal(E.right(dek))
      expect(await unwrapDek(bkk, wrapped, anotherBackupId)).to.deep.equal(
        E.left({ _tag: 'DecryptionFailed', what: 'dek' }),
      )
    })

    it('refuses a DEK wrapped under another account’s BKK', async () => {
      const [mine, theirs] = await Promise.all([
        deriveBackupKeys(generateUmk()),
        deriveBackupKeys(generateUmk()),
      ])
      const wrapped = await wrapDek(theirs.bkk, generateDek(), aBackupId)
      expect(E.isLeft(await unwrapDek(mine.bkk, wrapped, aBackupId))).to.equal(true)
    })

    it('re-wraps a DEK for a rotated UMK without changing it', async () => {
      const [old, next] = await Promise.all([
        deriveBackupKeys(generateUmk()),
        deriveBackupKeys(generateUmk()),
      ])
      const dek = generateDek()
      const rewrapped = await rewrapDek(old.bkk, next.bkk, await wrapDek(old.bkk, dek, aBackupId), aBackupId)
      if (E.isLeft(rewrapped)) expect.fail('rewrap failed')
      expect(await unwrapDek(next.bkk, rewrapped.right, aBackupId)).to.deep.equal(E.right(dek))
      expect(E.isLeft(await unwrapDek(old.bkk, rewrapped.right, aBackupId))).to.equal(true)
    })
  })
})
