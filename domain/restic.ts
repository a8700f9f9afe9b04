/**
 * restic repositories kept for an account: the objects restic's REST backend stores (already encrypted by
 * the restic client) and the access tokens that reach them.
 * SECURITY: names are validated here so no request can address anything outside its repository: a
 * repository is one plain path segment, a type is one of restic's six, and a name is 64 lowercase hex.
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { AccountId, BlobId, DeviceId, SessionId, Sha256Hex, Uuid } from './ids'

/** restic's reserved folder names; a repository named like one would be ambiguous in a URL. */
export const ResticObjectType = t.keyof({
  config: null,
  data: null,
  keys: null,
  locks: null,
  snapshots: null,
  index: null,
})
export type ResticObjectType = t.TypeOf<typeof ResticObjectType>

/** The types that are folders of 64-hex-named files (everything but the single `config`). */
export type ResticFolderType = Exclude<ResticObjectType, 'config'>
export const ResticFolderType = t.keyof({ data: null, keys: null, locks: null, snapshots: null, index: null })

export type ResticRepoNameBrand = { readonly ResticRepoName: unique symbol }
/** One path segment: letters, digits, `.`, `_`, `-`; not `.`/`..`, not a reserved type name. */
export const ResticRepoName = t.brand(
  t.string,
  (s): s is t.Branded<string, ResticRepoNameBrand> =>
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s) && !ResticObjectType.is(s),
  'ResticRepoName',
)
export type ResticRepoName = t.TypeOf<typeof ResticRepoName>

/** The config is addressed by this fixed name; every other object by the SHA-256 of its bytes. */
export const configName = 'config'

/** Where one object lives: `name` is 64-hex, or `config` for the config. */
export type ResticObjectRef = Readonly<{ repo: ResticRepoName; type: ResticObjectType; name: string }>

export const ResticObjectRef = new t.Type<ResticObjectRef, ResticObjectRef, unknown>(
  'ResticObjectRef',
  (u): u is ResticObjectRef => E.isRight(ResticObjectRef.decode(u)),
  (u, c) => {
    const shape = t.strict({ repo: ResticRepoName, type: ResticObjectType, name: t.string }).validate(u, c)
    if (E.isLeft(shape)) return shape
    const { type, name } = shape.right
    const nameOk = type === 'config' ? name === configName : Sha256Hex.is(name)
    return nameOk ? t.success(shape.right) : t.failure(u, [...c, { key: 'name', type: Sha256Hex }])
  },
  (ref) => ref,
)

/** A stored object: which blob holds its bytes, and how many there are. */
export type ResticObject = ResticObjectRef &
  Readonly<{ accountId: AccountId; blobId: BlobId; sizeBytes: number; createdAt: Date }>

/** One entry of a listing (restic's v2 `{name, size}`). */
export type ResticListEntry = Readonly<{ name: string; sizeBytes: number }>

export type ResticTokenIdBrand = { readonly ResticTokenId: unique symbol }
export const ResticTokenId = t.brand(
  Uuid,
  (_s): _s is t.Branded<Uuid, ResticTokenIdBrand> => true,
  'ResticTokenId',
)
export type ResticTokenId = t.TypeOf<typeof ResticTokenId>

/**
 * A restic access token as stored: only the SHA-256 of its secret. `deviceId` is the device that created
 * it (null for a session without one): revoking that device ends the token too. `sessionId` is the login
 * session that created it (null for tokens older than that record): a password change keeps only the tokens
 * of the session that makes it. `repo`, when set, is the one repository the token opens.
 */
export type ResticToken = Readonly<{
  tokenId: ResticTokenId
  accountId: AccountId
  deviceId: DeviceId | null
  sessionId: SessionId | null
  appendOnly: boolean
  repo: ResticRepoName | null
  secretSha256: Sha256Hex
  createdAt: Date
}>

/** What a valid token grants: its account, whether it may destroy anything, and its repository if scoped. */
export type ResticGrant = Pick<ResticToken, 'tokenId' | 'accountId' | 'deviceId' | 'appendOnly' | 'repo'>

/** A token scoped to a repository opens that one only; an unscoped token opens every repository. */
export const grantReaches = (grant: Pick<ResticGrant, 'repo'>, repo: string): boolean =>
  grant.repo === null || grant.repo === repo

export type ResticObjectNotFound = { readonly _tag: 'ResticObjectNotFound' }
/** restic never overwrites: a second upload of an existing name is refused in every mode. */
export type ResticObjectExists = { readonly _tag: 'ResticObjectExists' }
/** An append-only token asked to delete something other than a lock. */
export type ResticAppendOnly = { readonly _tag: 'ResticAppendOnly' }
/** The uploaded bytes do not hash to the object's name. */
export type ResticNameMismatch = { readonly _tag: 'ResticNameMismatch' }

export const resticObjectNotFound: ResticObjectNotFound = { _tag: 'ResticObjectNotFound' }
export const resticObjectExists: ResticObjectExists = { _tag: 'ResticObjectExists' }
export const resticAppendOnly: ResticAppendOnly = { _tag: 'ResticAppendOnly' }
export const resticNameMismatch: ResticNameMismatch = { _tag: 'ResticNameMismatch' }

/**
 * Append-only tokens may not delete data, keys, snapshots, index or the config; locks stay deletable,
 * because every restic command removes its own lock when it ends.
 */
export const ensureMayDelete = (
  grant: ResticGrant,
  type: ResticObjectType,
): E.Either<ResticAppendOnly, void> =>
  grant.appendOnly && type !== 'locks' ? E.left(resticAppendOnly) : E.right(undefined)

/** Every object but the config is named by the SHA-256 of its (client-encrypted) bytes. */
export const ensureNameMatches = (
  ref: ResticObjectRef,
  sha256: Sha256Hex,
): E.Either<ResticNameMismatch, void> =>
  ref.type === 'config' || ref.name === sha256 ? E.right(undefined) : E.left(resticNameMismatch)
