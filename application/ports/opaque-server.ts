import type * as E from 'fp-ts/Either'
import type { OpaqueRecord } from '../../domain/account'
import type { InvalidCredentials, InvalidProtocolMessage } from '../../domain/errors'

/** Opaque protocol messages, base64url, as exchanged with `@serenity-kit/opaque` clients. */
export type OpaqueMessage = string

/**
 * The server side of OPAQUE (RFC 9807). The server setup secret lives inside the adapter.
 * SECURITY: server login state is secret until the login finishes; the session key never leaves the server.
 * Malformed client messages are Left(InvalidProtocolMessage) naming the field; nothing here throws.
 */
export type OpaqueServer = {
  readonly registrationResponse: (
    username: string,
    registrationRequest: OpaqueMessage,
  ) => E.Either<InvalidProtocolMessage, OpaqueMessage>
  /**
   * With `record` null (unknown username) it answers a fake response of the same shape, so usernames
   * cannot be enumerated.
   */
  readonly startLogin: (
    username: string,
    record: OpaqueRecord | null,
    startLoginRequest: OpaqueMessage,
  ) => E.Either<
    InvalidProtocolMessage,
    { readonly loginResponse: OpaqueMessage; readonly serverLoginState: string }
  >
  readonly finishLogin: (
    serverLoginState: string,
    finishLoginRequest: OpaqueMessage,
  ) => E.Either<InvalidCredentials, void>
}
