/**
 * Knows what zkeb-admin and a running server say to each other over the admin socket (DATA_DIR/admin.sock):
 * one JSON line each way per connection. The request names one of the served use cases, its arguments and the
 * operator's request id; the answer is `{ok: result}` or `{error: {_tag, …}}`, an error carrying only its tag
 * and plain fields (never a cause). Both sides decode with the codecs below, so neither trusts the other.
 */
import * as t from 'io-ts'
import type { AdminUseCases } from '../../application/admin'
import { AccountId, DeviceId, Username } from '../../domain/ids'

/** The use cases a running server serves on its socket: short ones, without progress callbacks. */
export type ServedAdmin = Pick<
  AdminUseCases,
  | 'listAccounts'
  | 'showAccount'
  | 'enableAccount'
  | 'disableAccount'
  | 'setAccountQuota'
  | 'deleteAccount'
  | 'listAccountDevices'
  | 'revokeAccountSessions'
  | 'getServiceStats'
>

export const protocolVersion = 1
/** Longer requests are refused: every legitimate one is far shorter. */
export const maxRequestBytes = 16 * 1024

const IsoDate = new t.Type<Date, string, unknown>(
  'IsoDate',
  (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime()),
  (u, c) => {
    const date = typeof u === 'string' ? new Date(u) : null
    return date === null || Number.isNaN(date.getTime()) ? t.failure(u, c) : t.success(date)
  },
  (d) => d.toISOString(),
)
const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null])
const Bytes = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Bytes')

const Ref = t.union([t.strict({ accountId: AccountId }), t.strict({ username: Username })])
const ByRef = t.strict({ ref: Ref })
const Name = t.strict({ accountId: AccountId, username: Username })
const Quota = t.strict({ limitBytes: Bytes, usedBytes: Bytes })
const Summary = t.strict({
  accountId: AccountId,
  username: Username,
  createdAt: IsoDate,
  disabledAt: nullable(IsoDate),
  quota: Quota,
})
const View = t.intersection([Summary, t.strict({ keyBundleVersion: t.number })])
const Device = t.strict({
  deviceId: DeviceId,
  createdAt: IsoDate,
  lastSeenAt: IsoDate,
  revokedAt: nullable(IsoDate),
})
const Stats = t.strict({
  accounts: Bytes,
  disabledAccounts: Bytes,
  liveBackups: Bytes,
  trashedBackups: Bytes,
  backupBytes: Bytes,
  blobs: Bytes,
  blobBytes: Bytes,
})

/** Each served use case: the arguments sent and the result answered. */
export const operations = {
  listAccounts: {
    args: t.strict({ after: nullable(Username), limit: Bytes }),
    result: t.strict({ items: t.array(Summary), nextCursor: nullable(Username) }),
  },
  showAccount: { args: ByRef, result: View },
  enableAccount: { args: ByRef, result: View },
  disableAccount: { args: ByRef, result: View },
  setAccountQuota: { args: t.strict({ ref: Ref, limitBytes: Bytes }), result: View },
  deleteAccount: { args: ByRef, result: Name },
  listAccountDevices: { args: ByRef, result: t.strict({ account: Name, devices: t.array(Device) }) },
  revokeAccountSessions: { args: ByRef, result: Name },
  getServiceStats: { args: t.strict({}), result: Stats },
} as const

export type Operations = typeof operations
export type Op = keyof Operations
export type ArgsOf<K extends Op> = t.TypeOf<Operations[K]['args']>
export type ResultOf<K extends Op> = t.TypeOf<Operations[K]['result']>

const opNames = Object.keys(operations) as ReadonlyArray<Op>
const isOp = (u: unknown): u is Op => typeof u === 'string' && (opNames as ReadonlyArray<string>).includes(u)

/** The envelope; `args` is decoded with the operation's own codec once `op` is known. */
export const Request = t.strict({
  v: t.literal(protocolVersion),
  op: new t.Type<Op, Op, unknown>(
    'Op',
    isOp,
    (u, c) => (isOp(u) ? t.success(u) : t.failure(u, c)),
    (o) => o,
  ),
  /** The operator's request id, recorded with every audit event the request writes. */
  requestId: t.refinement(t.string, (s) => /^[A-Za-z0-9._:-]{1,128}$/.test(s), 'RequestId'),
  args: t.unknown,
})
export type Request = t.TypeOf<typeof Request>

export const WireError = t.union([
  t.strict({ _tag: t.literal('AccountNotFound') }),
  t.strict({ _tag: t.literal('VersionMismatch'), currentVersion: t.number }),
  t.strict({ _tag: t.literal('Unavailable'), dependency: t.string }),
  /** The server did not understand the request (another release's zkeb-admin, or not zkeb-admin at all). */
  t.strict({ _tag: t.literal('BadRequest') }),
])
export type WireError = t.TypeOf<typeof WireError>

/** `error` first: `{ok: t.unknown}` would accept any object. */
export const Answer = t.union([t.strict({ error: WireError }), t.strict({ ok: t.unknown })])
