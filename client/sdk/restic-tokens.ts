/**
 * restic access tokens: restic (the unmodified backup client) authenticates to /restic/{repo}/ with HTTP
 * basic auth, the account's username as user and one of these as password. restic encrypts on its own, with
 * its own repository password; these tokens only let it reach the account's storage.
 */
import type * as E from 'fp-ts/Either'
import { attempt, type SdkError } from './errors'
import type { Session } from './session'
import type { ResticToken } from './wire'

export type { ResticToken } from './wire'
export type CreatedResticToken = ResticToken & Readonly<{ token: string }>

/**
 * Creates a token for this device and session; `token` is shown this once. Append-only tokens cannot delete
 * backups; a token made with `repo` opens that repository only.
 */
export const createResticToken = (
  session: Session,
  options: Readonly<{ appendOnly: boolean; repo?: string }>,
): Promise<E.Either<SdkError, CreatedResticToken>> =>
  attempt(() => session.http.createResticToken(options.appendOnly, options.repo))

export const listResticTokens = (session: Session): Promise<E.Either<SdkError, ReadonlyArray<ResticToken>>> =>
  attempt(async () => (await session.http.listResticTokens()).items)

/** Revokes a token: restic using it is refused from the next request on. */
export const revokeResticToken = (session: Session, tokenId: string): Promise<E.Either<SdkError, void>> =>
  attempt(() => session.http.revokeResticToken(tokenId))

/**
 * The RESTIC_REPOSITORY value for `repo` on `server` (`rest:` + the URL with the credentials in it).
 * SECURITY: the result contains the token; treat it as a secret.
 */
export const resticRepositoryUrl = (
  server: string,
  username: string,
  token: string,
  repo: string,
): string => {
  const url = new URL(`restic/${encodeURIComponent(repo)}/`, server.endsWith('/') ? server : `${server}/`)
  url.username = encodeURIComponent(username)
  url.password = encodeURIComponent(token)
  return `rest:${url.toString()}`
}
