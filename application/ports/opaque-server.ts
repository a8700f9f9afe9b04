import type * as TE from 'fp-ts/TaskEither'
import type { OpaqueRecord } from '../../domain/account'
import type { InvalidCredentials, InvalidProtocolMessage } from '../../domain/errors'
import type { Unavailable } from '../errors'

/** Opaque protocol messages, base64url, as exchanged with `@serenity-kit/opaque` clients. */
export type OpaqueMessage = string

/**
 * The server side of OPAQUE (RFC 9807). The server setup secret lives inside the adapter.
 * SECURITY: server login state is secret until the login finishes; the session key never leaves the server.
 * Malformed client messages are Left(InvalidProtocolMessage) naming the field; nothing here throws.
 * Asynchronous because the curve arithmetic is CPU-bound: an adapter may compute it off the event loop, and is
 * then Left(Unavailable) when that machinery fails (a worker thread died, or the adapter was closed).
 */
export type OpaqueServer = {
  readonly registrationResponse: (
    username: string,
    registrationRequest: OpaqueMessage,
  ) => TE.TaskEither<InvalidProtocolMessage | Unavailable, OpaqueMessage>
  /**
   * With `record` null (unknown username) it answers a fake response of the same shape, so usernames
   * cannot be enumerated.
   */
  readonly startLogin: (
    username: string,
    record: OpaqueRecord | null,
    startLoginRequest: OpaqueMessage,
  ) => TE.TaskEither<
    InvalidProtocolMessage | Unavailable,
    { readonly loginResponse: OpaqueMessage; readonly serverLoginState: string }
  >
  /** Left(InvalidCredentials) for a wrong password or a malformed message alike. */
  readonly finishLogin: (
    serverLoginState: string,
    finishLoginRequest: OpaqueMessage,
  ) => TE.TaskEither<InvalidCredentials | Unavailable, void>
}
