/**
 * Knows key rotation: a new UMK, every backup's DEK re-wrapped under the new BKK (content is never
 * re-encrypted), the snapshot key re-wrapped too, and the new key bundle, through the staged protocol
 * (docs/api.md, "Key rotation"): begin, pages of re-wrapped keys, commit, which the server applies all or nothing.
 * Any number of backups; an interrupted rotation resumes: the server keeps the new key bundle (the new UMK
 * wrapped under the export key and the recovery key, as the account's own bundle) and lists the backups whose
 * key is not staged yet, so a re-run unwraps the new UMK from it and goes on where it stopped.
 *
 * The recovery key is needed: the server keeps the recovery verifier of registration, so the recovery key
 * cannot change here, and the new UMK must be wrapped under it too. It is checked against the current bundle
 * first, so a wrong key fails before anything changes.
 * The snapshot repository key (protocol v1.1), when the account has one, is re-wrapped and sent with the commit:
 * the server refuses a commit without it, and snapshots stay readable and deduplicated.
 * Metadata and device names are encrypted under MEK = HKDF(UMK) and api-v1 has no call to re-encrypt them: call
 * saveKeyring(before, after) next (keyring.ts), or those written before the rotation no longer open.
 */
import * as E from 'fp-ts/Either'
import type { BackupId } from '../../domain/ids'
import { rewrapRepositoryKey } from '../snapshot/keys'
import {
  deriveBackupKeys,
  generateUmk,
  rewrapDek,
  unwrapUmkWithPassword,
  wrapUmkWithPassword,
  wrapUmkWithRecoveryKey,
  type BackupKeys,
  type RecoveryKey,
  type Umk,
} from '../crypto'
import { b64, fromB64 } from './encoding'
import { attempt, badRecoveryKey, fail, isZkebError, keysUnreadable, type SdkError } from './errors'
import { readRecoveryKey, umkFromRecoveryKey } from './recovery-key'
import { rotationClient, type RotationClient } from './rotation-client'
import { withUmk, type Session } from './session'

/** Where a rotation stands: keep it (the CLI writes it to a file) and pass it back to resume sooner. */
export type RotationCheckpoint = Readonly<{ rotationId: string; after: string | null }>
export type RotationProgress = Readonly<{ rotationId: string; staged: number; total: number }>
export type RotateKeysInput = Readonly<{
  recoveryKey: string
  /** Called after every page the server acknowledged. */
  onProgress?: (progress: RotationProgress) => void
  /** Called after every acknowledged page, before the next one is sent. */
  onCheckpoint?: (checkpoint: RotationCheckpoint) => void | Promise<void>
  resumeFrom?: RotationCheckpoint
  /** Keys per page (1–1,000; default 1,000). */
  pageSize?: number
  /** Stops between pages, rejecting with the signal's reason; the rotation stays open, to resume. */
  signal?: AbortSignal
}>

/** Backups uploaded while the keys were being staged make the commit answer 409; stage them and commit again. */
const maxCommits = 3

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

const isApiError = (e: unknown, code: string): boolean =>
  isZkebError(e) && e.error._tag === 'ApiError' && e.error.code === code

type Opened = Readonly<{
  rotationId: string
  umk: Umk
  keyBundle: { passwordWrappedUmk: string; recoveryWrappedUmk: string }
  staged: number
  total: number
}>

/** The open rotation made by this password for the current bundle, if any; another one is aborted. */
const reopen = async (client: RotationClient, session: Session): Promise<Opened | null> => {
  const open = await client.current()
  if (open === null) return null
  const umk = await unwrapUmkWithPassword(
    fromB64(open.keyBundle.passwordWrappedUmk, 'passwordWrappedUmk'),
    session.exportKey,
  )
  if (E.isRight(umk) && open.expectedVersion === session.keyBundleVersion)
    return {
      rotationId: open.rotationId,
      umk: umk.right,
      keyBundle: open.keyBundle,
      staged: open.stagedCount,
      total: open.backupCount,
    }
  await client.abort(open.rotationId)
  return null
}

const begin = async (client: RotationClient, session: Session, recoveryKey: RecoveryKey): Promise<Opened> => {
  const umk = generateUmk()
  const keyBundle = {
    passwordWrappedUmk: b64(await wrapUmkWithPassword(umk, session.exportKey)),
    recoveryWrappedUmk: b64(await wrapUmkWithRecoveryKey(umk, recoveryKey)),
  }
  const started = await client.begin(session.keyBundleVersion, keyBundle)
  return { rotationId: started.rotationId, umk, keyBundle, staged: 0, total: started.backupCount }
}

const rewrapPage = (
  from: BackupKeys,
  to: BackupKeys,
  items: ReadonlyArray<{ backupId: string; wrappedKey: string }>,
) =>
  Promise.all(
    items.map(async (item) => {
      const wrapped = await rewrapDek(
        from.bkk,
        to.bkk,
        fromB64(item.wrappedKey, 'wrappedKey'),
        item.backupId as BackupId,
      )
      return E.isRight(wrapped)
        ? { backupId: item.backupId, wrappedKey: b64(wrapped.right) }
        : fail(keysUnreadable('dek'))
    }),
  )

/**
 * Walks the backups whose key is not staged yet, page by page, staging each page re-wrapped. The next page is
 * listed and re-wrapped while the previous one is being stored (at most one page in flight), and a checkpoint
 * names only pages the server acknowledged.
 */
const stageAll = async (
  client: RotationClient,
  from: BackupKeys,
  to: BackupKeys,
  opened: Opened,
  input: RotateKeysInput,
  progress: { staged: number },
): Promise<void> => {
  const limit = input.pageSize ?? 1000
  let after = input.resumeFrom?.rotationId === opened.rotationId ? input.resumeFrom.after : null
  let inFlight: Promise<void> = Promise.resolve()
  const stage = async (
    keys: ReadonlyArray<{ backupId: string; wrappedKey: string }>,
    next: string | null,
  ) => {
    if (keys.length > 0) await client.stage(opened.rotationId, keys)
    progress.staged += keys.length
    if (keys.length > 0)
      input.onProgress?.({
        rotationId: opened.rotationId,
        staged: progress.staged,
        total: Math.max(opened.total, progress.staged),
      })
    await input.onCheckpoint?.({ rotationId: opened.rotationId, after: next })
  }
  for (;;) {
    const page = await client.pending(opened.rotationId, after, limit)
    const keys = await rewrapPage(from, to, page.items)
    await inFlight
    if (input.signal?.aborted === true) throw input.signal.reason
    const staging = stage(keys, page.nextAfter)
    staging.catch(() => undefined) // awaited below; this only keeps a failure from counting as unhandled meanwhile
    inFlight = staging
    if (page.nextAfter === null) return inFlight
    after = page.nextAfter
  }
}

const rewrappedSnapshotKey = async (client: RotationClient, from: BackupKeys, to: BackupKeys) => {
  const stored = await client.snapshotKey()
  if (stored === null) return undefined
  const rewrapped = await rewrapRepositoryKey(from.bkk, to.bkk, fromB64(stored, 'wrappedKey'))
  return E.isRight(rewrapped) ? b64(rewrapped.right) : fail(keysUnreadable('snapshot-key'))
}

/** Rotates the UMK (or finishes an interrupted rotation); resolves to the session under the new keys. */
export const rotateKeys = (session: Session, input: RotateKeysInput): Promise<E.Either<SdkError, Session>> =>
  attempt(async () => {
    const recoveryKey = await readRecoveryKey(input.recoveryKey)
    const current = await umkFromRecoveryKey(session.keyBundle, recoveryKey)
    if (!equalBytes(current, session.umk)) return fail(badRecoveryKey('mismatch'))
    const client = rotationClient(session.http.transport.send)
    const opened = (await reopen(client, session)) ?? (await begin(client, session, recoveryKey))
    const keys = await deriveBackupKeys(opened.umk)
    const progress = { staged: opened.staged }
    for (let commitNo = 1; ; commitNo++) {
      await stageAll(
        client,
        session.keys,
        keys,
        opened,
        commitNo === 1 ? input : { ...input, resumeFrom: undefined },
        progress,
      )
      try {
        const snapshotKey = await rewrappedSnapshotKey(client, session.keys, keys)
        const { keyBundleVersion } = await client.commit(opened.rotationId, snapshotKey)
        return withUmk(session, opened.umk, opened.keyBundle, keyBundleVersion)
      } catch (e) {
        if (!isApiError(e, 'rotation-incomplete') || commitNo >= maxCommits) throw e
      }
    }
  })
