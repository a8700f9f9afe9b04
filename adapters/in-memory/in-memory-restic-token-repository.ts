/** Knows how to keep restic tokens in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { ResticTokenRepository } from '../../application/ports/restic-token-repository'
import type { ResticToken } from '../../domain/restic'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure } from './in-memory-database'

const oldestFirst = (a: ResticToken, b: ResticToken): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.tokenId < b.tokenId ? -1 : 1)

/** Tokens of an unknown account or device are refused, as the foreign keys refuse them in PostgreSQL. */
export const inMemoryResticTokenRepository = (db: InMemoryDatabase): ResticTokenRepository => ({
  create: (token) =>
    writing(db, token.accountId, () => {
      if (!db.accounts.has(token.accountId)) return E.left(memoryFailure('account not found'))
      if (token.deviceId !== null && db.devices.get(token.deviceId)?.accountId !== token.accountId)
        return E.left(memoryFailure('device not found'))
      const taken = [...db.resticTokens.values()].some(
        (t) => t.tokenId === token.tokenId || t.secretSha256 === token.secretSha256,
      )
      if (taken) return E.left(memoryFailure('duplicate token'))
      db.resticTokens.set(token.tokenId, structuredClone(token))
      return E.right(undefined)
    }),
  list: (accountId) =>
    TE.fromIO(() =>
      structuredClone(
        [...db.resticTokens.values()].filter((t) => t.accountId === accountId).sort(oldestFirst),
      ),
    ),
  revoke: (accountId, tokenId) =>
    writing(db, accountId, () =>
      E.right(db.resticTokens.get(tokenId)?.accountId === accountId && db.resticTokens.delete(tokenId)),
    ),
  revokeAccount: (accountId, keep) =>
    writing(db, accountId, () => {
      const doomed = [...db.resticTokens.values()].filter(
        (t) => t.accountId === accountId && (keep === undefined || t.sessionId !== keep),
      )
      for (const token of doomed) db.resticTokens.delete(token.tokenId)
      return E.right(doomed.length)
    }),
  findGrant: (username, secretSha256) =>
    TE.fromIO(() => {
      const token = [...db.resticTokens.values()].find((t) => t.secretSha256 === secretSha256)
      const account = token === undefined ? undefined : db.accounts.get(token.accountId)
      if (token === undefined || account?.username.toLowerCase() !== username.toLowerCase()) return O.none
      const device = token.deviceId === null ? undefined : db.devices.get(token.deviceId)
      if (device !== undefined && O.isSome(device.revokedAt)) return O.none
      const { tokenId, accountId, deviceId, appendOnly, repo } = token
      return O.some({ tokenId, accountId, deviceId, appendOnly, repo })
    }),
})
