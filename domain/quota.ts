/** Quotas count every stored byte the account owns: live backups and those still in the trash. */
import * as E from 'fp-ts/Either'
import { QuotaExceeded, quotaExceeded } from './errors'

export type QuotaUsage = Readonly<{ limitBytes: number; usedBytes: number }>

/** Right when `incomingBytes` more still fit under the limit. */
export const checkQuota = (usage: QuotaUsage, incomingBytes: number): E.Either<QuotaExceeded, QuotaUsage> =>
  usage.usedBytes + incomingBytes <= usage.limitBytes
    ? E.right({ ...usage, usedBytes: usage.usedBytes + incomingBytes })
    : E.left(quotaExceeded(usage.limitBytes, usage.usedBytes))
