/**
 * Knows how to run the server side of OPAQUE (RFC 9807) with `@serenity-kit/opaque`.
 * SECURITY: the server setup is the long-term server secret; it never leaves this module. Messages from
 * the library's errors are dropped: only the failing field's name is reported.
 */
import * as opaque from '@serenity-kit/opaque'
import * as E from 'fp-ts/Either'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import { invalidCredentials, invalidProtocolMessage } from '../../domain/errors'

/** OPAQUE binds the user identifier into the record; usernames are case-insensitive, so normalise it. */
const userIdentifier = (username: string): string => username.toLowerCase()

/** Makes a fresh server setup secret (for first boot and tests). */
export const createOpaqueServerSetup = async (): Promise<string> => {
  await opaque.ready
  return opaque.server.createSetup()
}

/** The OpaqueServer port over `@serenity-kit/opaque`; resolves once the WebAssembly module is ready. */
export const serenityOpaqueServer = async (serverSetup: string): Promise<OpaqueServer> => {
  await opaque.ready
  return {
    registrationResponse: (username, registrationRequest) =>
      E.tryCatch(
        () =>
          opaque.server.createRegistrationResponse({
            serverSetup,
            userIdentifier: userIdentifier(username),
            registrationRequest,
          }).registrationResponse,
        () => invalidProtocolMessage('registrationRequest'),
      ),
    startLogin: (username, record, startLoginRequest) =>
      E.tryCatch(
        () => {
          // A null record makes the library answer with a fake response indistinguishable from a real one.
          const { loginResponse, serverLoginState } = opaque.server.startLogin({
            serverSetup,
            userIdentifier: userIdentifier(username),
            registrationRecord: record,
            startLoginRequest,
          })
          return { loginResponse, serverLoginState }
        },
        () => invalidProtocolMessage('startLoginRequest'),
      ),
    finishLogin: (serverLoginState, finishLoginRequest) =>
      E.tryCatch(
        () => {
          opaque.server.finishLogin({ serverLoginState, finishLoginRequest })
        },
        () => invalidCredentials,
      ),
  }
}
