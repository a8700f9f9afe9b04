/**
 * The api-v1 response shapes the SDK reads, as io-ts codecs: a server that answers anything else is reported
 * as BadResponse instead of crashing a flow halfway. Extra fields are tolerated (forward compatibility).
 */
import * as t from 'io-ts'

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

export const ErrorBody = t.type({
  error: t.intersection([
    t.type({ code: t.string, message: t.string, retryable: t.boolean, requestId: t.string }),
    t.partial({ details: t.record(t.string, t.unknown) }),
  ]),
})

export const KeyBundle = t.type({ passwordWrappedUmk: t.string, recoveryWrappedUmk: t.string })
export type KeyBundle = t.TypeOf<typeof KeyBundle>

export const RegistrationResponse = t.type({ registrationResponse: t.string })
export const AccountCreated = t.type({ accountId: t.string })
export const LoginStarted = t.type({ loginId: t.string, loginResponse: t.string })
export const Tokens = t.type({ accessToken: t.string, refreshToken: t.string, expiresIn: t.number })
export type Tokens = t.TypeOf<typeof Tokens>
export const SessionOpened = t.intersection([Tokens, t.type({ accountId: t.string })])
export const KeyBundleVersion = t.type({ keyBundleVersion: t.number })
/** recovery/start: the token, and the recovery-wrapped UMK the proof unlocked (see the OpenAPI decisions). */
export const RecoveryStarted = t.type({
  recoveryToken: t.string,
  recoveryWrappedUmk: t.string,
  keyBundleVersion: t.number,
})
export const AccountErased = t.type({ status: t.string })

export const Account = t.type({
  accountId: t.string,
  username: t.string,
  createdAt: t.string,
  keyBundle: KeyBundle,
  keyBundleVersion: t.number,
  quota: t.type({ limitBytes: t.number, usedBytes: t.number }),
})
export type Account = t.TypeOf<typeof Account>

export const DeviceCreated = t.type({ deviceId: t.string, createdAt: t.string })
export const Device = t.type({
  deviceId: t.string,
  /** The device's Ed25519 raw public key (base64url): what its upload signatures are checked against. */
  publicKey: t.string,
  encryptedName: t.string,
  createdAt: t.string,
  lastSeenAt: t.string,
  revokedAt: nullable(t.string),
})
export type Device = t.TypeOf<typeof Device>
export const DeviceList = t.type({ items: t.array(Device) })

export const ResticToken = t.intersection([
  t.type({
    tokenId: t.string,
    deviceId: nullable(t.string),
    appendOnly: t.boolean,
    createdAt: t.string,
  }),
  /** The one repository the token opens; null (or absent, from servers before scoping): every one. */
  t.partial({ repo: nullable(t.string) }),
])
export type ResticToken = t.TypeOf<typeof ResticToken>
/** The creation answer: the only time the server sends the secret. */
export const ResticTokenCreated = t.intersection([ResticToken, t.type({ token: t.string })])
export const ResticTokenList = t.type({ items: t.array(ResticToken) })

export const BackupSummary = t.type({
  backupId: t.string,
  sizeBytes: t.number,
  sha256: t.string,
  deviceId: t.string,
  parentId: nullable(t.string),
  createdAt: t.string,
})
export type BackupSummary = t.TypeOf<typeof BackupSummary>
export const BackupRecord = t.intersection([
  BackupSummary,
  t.type({
    encryptedMetadata: t.string,
    wrappedKey: t.string,
    signature: t.string,
    keyVersion: t.number,
    deletedAt: nullable(t.string),
  }),
])
export type BackupRecord = t.TypeOf<typeof BackupRecord>
export const BackupPage = t.type({ items: t.array(BackupRecord), nextCursor: nullable(t.string) })
export type BackupPage = t.TypeOf<typeof BackupPage>

export const AuditEventDto = t.type({
  eventId: t.string,
  type: t.string,
  at: t.string,
  deviceId: nullable(t.string),
  requestId: t.string,
  prevHash: t.string,
  hash: t.string,
})
export type AuditEventDto = t.TypeOf<typeof AuditEventDto>
export const AuditPage = t.type({ items: t.array(AuditEventDto), nextCursor: nullable(t.string) })

export const Health = t.type({ status: t.string })

/** What a login offers as its second factor (api.md, Sessions). */
export type SecondFactorProof = Readonly<{ kind: 'totp' | 'recovery-code'; code: string }>

export type FinishLoginBody = Readonly<{
  loginId: string
  finishLoginRequest: string
  deviceId?: string
  secondFactor?: SecondFactorProof
}>
