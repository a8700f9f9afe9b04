/**
 * Knows the four OPAQUE server steps of `@serenity-kit/opaque` as plain data in, plain data out, so the same code
 * runs on the main thread (serenity-opaque-server.ts) and inside a worker (opaque-worker.ts, via postMessage).
 * SECURITY: the server setup is the long-term server secret; callers pass it in and it never appears in a result.
 * The library's error messages are dropped: a failure names only the field that was rejected.
 * Call only after `opaque.ready` has resolved.
 */
import * as opaque from '@serenity-kit/opaque'

/** One server step; every field is a short base64url string (or null for an unknown user's record). */
export type OpaqueStep =
  | Readonly<{ op: 'registrationResponse'; username: string; registrationRequest: string }>
  | Readonly<{ op: 'startLogin'; username: string; record: string | null; startLoginRequest: string }>
  | Readonly<{ op: 'finishLogin'; serverLoginState: string; finishLoginRequest: string }>

/** What a step answers: the library's output, or which input it refused (never why: that could leak). */
export type OpaqueStepResult =
  | Readonly<{ ok: true; registrationResponse: string }>
  | Readonly<{ ok: true; loginResponse: string; serverLoginState: string }>
  | Readonly<{ ok: true }>
  | Readonly<{ ok: false; rejected: 'registrationRequest' | 'startLoginRequest' | 'finishLoginRequest' }>

/** OPAQUE binds the user identifier into the record; usernames are case-insensitive, so normalise it. */
const userIdentifier = (username: string): string => username.toLowerCase()

const compute = (serverSetup: string, step: OpaqueStep): OpaqueStepResult => {
  switch (step.op) {
    case 'registrationResponse':
      return {
        ok: true,
        registrationResponse: opaque.server.createRegistrationResponse({
          serverSetup,
          userIdentifier: userIdentifier(step.username),
          registrationRequest: step.registrationRequest,
        }).registrationResponse,
      }
    case 'startLogin': {
      // A null record makes the library answer with a fake response indistinguishable from a real one.
      const { loginResponse, serverLoginState } = opaque.server.startLogin({
        serverSetup,
        userIdentifier: userIdentifier(step.username),
        registrationRecord: step.record,
        startLoginRequest: step.startLoginRequest,
      })
      return { ok: true, loginResponse, serverLoginState }
    }
    case 'finishLogin':
      opaque.server.finishLogin({
        serverLoginState: step.serverLoginState,
        finishLoginRequest: step.finishLoginRequest,
      })
      return { ok: true }
  }
}

const rejectedField = {
  registrationResponse: 'registrationRequest',
  startLogin: 'startLoginRequest',
  finishLogin: 'finishLoginRequest',
} as const

/** Runs one step synchronously (CPU-bound WebAssembly); never throws. */
export const runOpaqueStep = (serverSetup: string, step: OpaqueStep): OpaqueStepResult => {
  try {
    return compute(serverSetup, step)
  } catch {
    return { ok: false, rejected: rejectedField[step.op] }
  }
}
