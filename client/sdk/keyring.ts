/**
 * Knows the keyring, which keeps backup names and device names readable across key rotations without any
 * change to api-v1 or protocol v1.
 *
 * Metadata and device names are encrypted under MEK = HKDF(UMK), and api-v1 has no call to re-encrypt them, so
 * a rotation alone leaves every earlier name unreadable. After a rotation the client therefore uploads one
 * ordinary backup, the keyring (saveKeyring): its content is {"version":1,"meks":[…]}, every earlier MEK as
 * base64url (the previous keyring's carried forward), encrypted like any backup under a fresh DEK wrapped under
 * the new BKK, and its metadata (type KEYRING_TYPE) under the new MEK. Metadata or a name that the current MEK
 * does not open is tried against the MEKs of the keyrings found in the backup list (live and trash), read once
 * per MEK and cached.
 * SECURITY: the earlier MEKs open only with the new UMK, like everything else; they open names, never content
 * (the rotation re-wrapped every DEK). Whoever held an earlier UMK already had its MEK. The server sees one more
 * small backup per rotation, at a time its audit trail records anyway. Trashing the keyring and letting it be
 * purged loses the earlier names again.
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { asKey, decryptMetadata, fromUtf8, utf8, type BackupMetadata, type Mek } from '../crypto'
import type { BackupId } from '../../domain/ids'
import { openBackup } from './download'
import { b64, fromB64 } from './encoding'
import { attempt, fail, type SdkError } from './errors'
import { push } from './push'
import { allRecords } from './records'
import type { Session } from './session'
import type { BackupRecord, BackupSummary } from './wire'

export const KEYRING_TYPE = 'application/vnd.zkeb.keyring+json'
export const KEYRING_NAME = '.zkeb-keyring'

const KeyringContent = t.type({ version: t.literal(1), meks: t.array(t.string) })

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

const openWith = async (mek: Mek, record: BackupRecord): Promise<BackupMetadata | null> => {
  const opened = await decryptMetadata(
    mek,
    record.backupId as BackupId,
    fromB64(record.encryptedMetadata, 'encryptedMetadata'),
  )
  return E.isRight(opened) ? opened.right : null
}

const bytesOf = async (content: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const part of content) parts.push(part)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0)
  return out
}

/** The MEKs a keyring keeps; none when its (authentic) content is not a keyring this client understands. */
const meksIn = async (session: Session, record: BackupRecord): Promise<ReadonlyArray<Mek>> => {
  const { content } = await openBackup(session, record.backupId)
  const text = fromUtf8(await bytesOf(content))
  const decoded = E.flatMap(
    E.tryCatch(
      () => JSON.parse(text) as unknown,
      () => [],
    ),
    (json) => KeyringContent.decode(json),
  )
  if (E.isLeft(decoded)) return []
  return decoded.right.meks.map((m) => asKey<'Mek'>(fromB64(m, 'keyring')))
}

const unique = (meks: ReadonlyArray<Mek>): ReadonlyArray<Mek> =>
  meks.filter((m, i) => meks.findIndex((n) => sameBytes(m, n)) === i)

const earlierByMek = new WeakMap<Mek, Promise<ReadonlyArray<Mek>>>()

/** The earlier MEKs kept by the keyrings whose metadata opens with this session's MEK (cached per MEK). */
export const earlierMeks = (session: Session): Promise<ReadonlyArray<Mek>> => {
  const cached = earlierByMek.get(session.keys.mek)
  if (cached !== undefined) return cached
  const loading = (async () => {
    const records = [...(await allRecords(session.http, false)), ...(await allRecords(session.http, true))]
    const keyrings: BackupRecord[] = []
    for (const r of records)
      if ((await openWith(session.keys.mek, r))?.type === KEYRING_TYPE) keyrings.push(r)
    const meks = (await Promise.all(keyrings.map((r) => meksIn(session, r)))).flat()
    return unique(meks).filter((m) => !sameBytes(m, session.keys.mek))
  })()
  earlierByMek.set(session.keys.mek, loading)
  loading.catch(() => earlierByMek.delete(session.keys.mek))
  return loading
}

/** `open` with the current MEK, then with each earlier MEK of the keyring; null when none opens. */
export const withEarlierMeks = async <A>(
  session: Session,
  open: (mek: Mek) => Promise<A | null>,
): Promise<A | null> => {
  const current = await open(session.keys.mek)
  if (current !== null) return current
  for (const mek of await earlierMeks(session)) {
    const opened = await open(mek)
    if (opened !== null) return opened
  }
  return null
}

/** A backup's metadata under the current MEK or an earlier one the keyring keeps; null when none opens. */
export const openMetadataWithKeyring = (
  session: Session,
  record: BackupRecord,
): Promise<BackupMetadata | null> => withEarlierMeks(session, (mek) => openWith(mek, record))

/**
 * After `rotateKeys(before)` resolved to `after`: uploads, signed by `after`'s device, the keyring holding
 * `before`'s MEK and every MEK of `before`'s keyring. Call it once per rotation; until it succeeds, names
 * written before the rotation do not open. The previous keyring's metadata is under `before`'s MEK, while its
 * DEK is already re-wrapped under `after`'s BKK, so it is read with that pair.
 */
export const saveKeyring = (before: Session, after: Session): Promise<E.Either<SdkError, BackupSummary>> =>
  attempt(async () => {
    const bridge: Session = { ...after, keys: { bkk: after.keys.bkk, mek: before.keys.mek } }
    const meks = unique([before.keys.mek, ...(await earlierMeks(bridge))]).filter(
      (m) => !sameBytes(m, after.keys.mek),
    )
    const content = utf8(JSON.stringify({ version: 1, meks: meks.map(b64) }))
    const pushed = await push(after, {
      source: () => [content],
      metadata: {
        name: KEYRING_NAME,
        size: content.length,
        mtime: new Date().toISOString(),
        type: KEYRING_TYPE,
        tags: [],
      },
    })
    return E.isRight(pushed) ? pushed.right : fail(pushed.left)
  })
