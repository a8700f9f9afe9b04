/**
 * One account's whole life against a running server, driven by the SDK, remembering every client-side secret
 * it can reach: register, push marked files from one device, log in and push from a second device, trash one
 * backup, revoke the second device, rotate keys (saving the keyring of earlier MEKs), push again, change the password, recover with the recovery
 * key, then pull everything back. The secrets are what the zero-knowledge scan looks for on the server.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  changePassword,
  listBackups,
  login,
  pull,
  push,
  recover,
  register,
  registerDevice,
  revokeDevice,
  rotateKeys,
  saveKeyring,
  trashBackup,
  type ClientOptions,
  type Session,
  type Tokens,
} from '../../../client/sdk'
import { allRecords } from '../../../client/sdk/backups'
import {
  deriveKek,
  encryptedLength,
  parseRecoveryKey,
  unwrapDek,
  unwrapDevicePrivateKey,
  type Umk,
} from '../../../client/crypto'
import type { BackupId } from '../../../domain/ids'
import { optionsFor, readAll, right } from '../../client/sdk/sdk-kit'
import { textSecret, type Secret } from './secret-scanner'

/** A length that no Padmé bucket holds, spanning two 1 MiB segments. */
export const distinctiveLength = 1_337_421

export type JourneyResult = Readonly<{
  secrets: ReadonlyArray<Secret>
  markers: ReadonlyArray<string>
  /** The backup id of the distinctive-length file. */
  distinctiveBackupId: string
}>

const metadataFor = (name: string, size: number, tags: ReadonlyArray<string> = []) => ({
  name,
  size,
  mtime: '2025-06-01T12:00:00.000Z',
  type: 'text/plain',
  tags: [...tags],
})

/** `length` bytes of filler with `marker` at the start, at `middle`, and at the end. */
const markedFile = (marker: string, length: number, middle = Math.floor(length / 2)): Uint8Array => {
  const bytes = Buffer.alloc(length, 'lorem ipsum dolor sit amet ')
  const m = Buffer.from(marker)
  m.copy(bytes, 0)
  m.copy(bytes, middle)
  m.copy(bytes, length - m.length)
  return bytes
}

const keySecrets = (label: string, umk: Umk, session: Session): ReadonlyArray<Secret> => [
  { label: `UMK ${label}`, bytes: umk },
  { label: `BKK ${label}`, bytes: session.keys.bkk },
  { label: `MEK ${label}`, bytes: session.keys.mek },
]

const exportKeySecrets = async (label: string, session: Session): Promise<ReadonlyArray<Secret>> => [
  { label: `export key ${label}`, bytes: new Uint8Array(session.exportKey) },
  { label: `KEK ${label}`, bytes: await deriveKek(session.exportKey) },
]

/** The device's PKCS#8 private key and its 32-byte Ed25519 seed (the last 32 bytes of PKCS#8). */
const deviceKeySecrets = async (
  label: string,
  umk: Umk,
  wrapped: Uint8Array,
): Promise<ReadonlyArray<Secret>> => {
  const pkcs8 = await unwrapDevicePrivateKey(umk, wrapped)
  if (E.isLeft(pkcs8)) throw new Error(`the ${label} device key does not open`)
  return [
    { label: `${label} device private key (PKCS#8)`, bytes: pkcs8.right },
    { label: `${label} device private key (seed)`, bytes: pkcs8.right.slice(-32) },
  ]
}

export const runJourney = async (base: string, username: string): Promise<JourneyResult> => {
  const tokens: Tokens[] = []
  const options: ClientOptions = { ...optionsFor({ base }), onTokens: (t) => tokens.push(t) }
  const tag = randomBytes(6).toString('hex')
  const marker = (what: string) => `ZKEBMARK-${tag}-${what}`
  const markers = [
    'alpha',
    'beta',
    'empty',
    'second',
    'after-rotation',
    'name',
    'tag',
    'device-a',
    'device-b',
  ].map(marker)
  const passwords = [1, 2, 3].map((n) => `pw${n}-${randomBytes(12).toString('base64url')}`)
  const [password1, password2, password3] = passwords as [string, string, string]

  const { recoveryKey } = right(await register(options, { username, password: password1 }))
  const laptopLogin = right(await login(options, { username, password: password1 }))
  const laptop = right(await registerDevice(laptopLogin, `laptop ${marker('device-a')}`))
  const umk1 = laptop.session.umk
  const files = new Map<string, Uint8Array>()
  const pushFile = async (session: Session, name: string, content: Uint8Array, tags: string[] = []) => {
    const pushed = right(
      await push(session, { source: () => [content], metadata: metadataFor(name, content.length, tags) }),
    )
    files.set(pushed.backupId, content)
    return pushed
  }
  const alpha = await pushFile(
    laptop.session,
    `alpha ${marker('name')}.txt`,
    markedFile(marker('alpha'), 10_000),
    [marker('tag')],
  )
  const distinctive = await pushFile(
    laptop.session,
    'beta.txt',
    markedFile(marker('beta'), distinctiveLength, 1024 * 1024 - 10),
  )
  expect(distinctive.sizeBytes).to.equal(encryptedLength(distinctiveLength)).and.not.equal(distinctiveLength)
  await pushFile(laptop.session, `empty ${marker('empty')}`, new Uint8Array(0))

  const phoneLogin = right(await login(options, { username, password: password1 }))
  const phone = right(await registerDevice(phoneLogin, `phone ${marker('device-b')}`))
  await pushFile(phone.session, 'from the phone', markedFile(marker('second'), 5_000))
  const fromPhone = right(await pull(phone.session, alpha.backupId))
  expect(
    Buffer.from(await readAll(fromPhone.content)).equals(Buffer.from(files.get(alpha.backupId)!)),
  ).to.equal(true)

  right(await trashBackup(laptop.session, alpha.backupId))
  right(await revokeDevice(laptop.session, phone.deviceId))
  const rotated = right(await rotateKeys(laptop.session, { recoveryKey }))
  const keyring = right(await saveKeyring(laptop.session, rotated))
  files.set(keyring.backupId, new Uint8Array(0)) // the earlier MEK, encrypted; not pulled back below
  await pushFile(rotated, 'after rotation', markedFile(marker('after-rotation'), 3_000))
  const changed = right(await changePassword(rotated, password2))
  const recovered = right(await recover(options, { username, recoveryKey, newPassword: password3 }))

  const records = [...(await allRecords(recovered.http, false)), ...(await allRecords(recovered.http, true))]
  expect(records.map((r) => r.backupId)).to.have.members([...files.keys()])
  const deks = await Promise.all(
    records.map(async (r) => {
      const dek = await unwrapDek(
        recovered.keys.bkk,
        Buffer.from(r.wrappedKey, 'base64url'),
        r.backupId as BackupId,
      )
      if (E.isLeft(dek)) throw new Error('a DEK does not open after recovery')
      return { label: `DEK of ${r.backupId}`, bytes: dek.right }
    }),
  )
  const views = right(await listBackups(recovered))
  expect(views.find((v) => v.backupId === distinctive.backupId)?.metadata?.name).to.equal('beta.txt')
  for (const view of views.filter((v) => v.backupId !== keyring.backupId)) {
    const pulled = right(await pull(recovered, view.backupId))
    expect(
      Buffer.from(await readAll(pulled.content)).equals(Buffer.from(files.get(view.backupId)!)),
    ).to.equal(true)
  }

  const rawRecoveryKey = await parseRecoveryKey(recoveryKey)
  if (E.isLeft(rawRecoveryKey)) throw new Error('the printed recovery key does not parse')
  const secrets: Secret[] = [
    ...markers.map((m) => textSecret(`marker ${m}`, m)),
    ...passwords.map((p, i) => textSecret(`password ${i + 1}`, p)),
    textSecret('recovery key (printed)', recoveryKey),
    textSecret('recovery key (printed, no dashes)', recoveryKey.replaceAll('-', '')),
    { label: 'recovery key (raw)', bytes: rawRecoveryKey.right },
    ...(await exportKeySecrets('laptop login', laptopLogin)),
    ...(await exportKeySecrets('phone login', phoneLogin)),
    ...(await exportKeySecrets('after password change', changed)),
    ...(await exportKeySecrets('after recovery', recovered)),
    ...keySecrets('before rotation', umk1, laptop.session),
    ...keySecrets('after rotation', recovered.umk, recovered),
    ...deks,
    ...(await deviceKeySecrets('laptop', umk1, laptop.wrappedPrivateKey)),
    ...(await deviceKeySecrets('phone', umk1, phone.wrappedPrivateKey)),
    ...tokens.flatMap((t, i) => [
      textSecret(`refresh token ${i + 1}`, t.refreshToken),
      textSecret(`access token ${i + 1}`, t.accessToken),
    ]),
  ]
  expect(rotated.umk).not.to.deep.equal(umk1)
  return { secrets, markers, distinctiveBackupId: distinctive.backupId }
}
