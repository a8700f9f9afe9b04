/**
 * Knows what every snapshot command needs: the account's snapshot repository over the SDK's HTTP store, opened
 * in the kept session (its RK unwrapped under the BKK, made on first use), this device's signer, and snapshot
 * references as users type them (`ID`, a unique id prefix, `ID:PATH`).
 */
import { hostname } from 'node:os'
import type { Session } from '../sdk'
import { snapshotStoreOf } from '../snapshot/http-store'
import {
  findSnapshot,
  openRepository,
  SnapshotFailure,
  snapshotMetadata,
  type Repository,
  type SnapshotMetadata,
  type SnapshotRecord,
} from '../snapshot'
import { asBufferSource } from '../crypto/bytes'
import type { Ctx } from './context'
import { cliError, ExitCode } from './exit-codes'
import { withSession } from './kept-session'
import { snap, snapshotCliError } from './snapshot-errors'

export type SnapshotWork<A> = (repo: Repository, session: Session) => Promise<A>

/** Runs `work` with the repository; engine failures thrown inside become the CLI's errors. */
export const withRepository = <A>(ctx: Ctx, work: SnapshotWork<A>): Promise<A> =>
  withSession(ctx, async (session) => {
    const repo = snap(await openRepository(snapshotStoreOf(session), session.keys.bkk))
    try {
      return await work(repo, session)
    } catch (e) {
      throw e instanceof SnapshotFailure ? snapshotCliError(e.error) : e
    }
  })

/** This device's Ed25519 signature over snapshot signing bytes. */
export const signerOf = (session: Session) => {
  const device = session.device ?? cliError(ExitCode.localState, 'this machine has no device key')
  return {
    deviceId: device.deviceId,
    sign: async (bytes: Uint8Array) =>
      new Uint8Array(
        await globalThis.crypto.subtle.sign('Ed25519', device.privateKey, asBufferSource(bytes)),
      ),
  }
}

export const thisHost = (): string => hostname()

/** `ID` or `ID:PATH` (the id part may be a unique prefix). */
export const parseSnapshotRef = (ref: string): Readonly<{ id: string; subPath: string | undefined }> => {
  const at = ref.indexOf(':')
  const id = at < 0 ? ref : ref.slice(0, at)
  if (!/^[0-9a-fA-F-]+$/.test(id)) return cliError(ExitCode.usage, `not a snapshot id: ${id || '(empty)'}`)
  const subPath = at < 0 ? undefined : ref.slice(at + 1)
  return { id, subPath: subPath === '' ? undefined : subPath }
}

/** A snapshot by full id or unique prefix: exit 5 when none matches, 2 when several do. */
export const resolveSnapshot = (repo: Repository, id: string): Promise<SnapshotRecord> =>
  findSnapshot(repo, id)

/** The metadata, or null when it does not open (shown as unreadable, not fatal for a listing). */
export const metadataOrNull = async (
  repo: Repository,
  record: SnapshotRecord,
): Promise<SnapshotMetadata | null> => {
  try {
    return await snapshotMetadata(repo, record)
  } catch (e) {
    if (e instanceof SnapshotFailure) return null
    throw e
  }
}

export const shortId = (id: string): string => id.slice(0, 8)
