/**
 * Knows how to offer the OpaqueServer port over `@serenity-kit/opaque`, wherever its steps are computed: on this
 * thread (serenityOpaqueServer, for tests and OPAQUE_WORKERS=0) or in a worker pool (pooled-opaque-server.ts).
 * SECURITY: the server setup is the long-term server secret; it never leaves the adapters. Messages from the
 * library's errors are dropped: only the failing field's name is reported.
 */
import * as opaque from '@serenity-kit/opaque'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { unavailable } from '../../application/errors'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import { invalidCredentials, invalidProtocolMessage } from '../../domain/errors'
import { runOpaqueStep, type OpaqueStep, type OpaqueStepResult } from './opaque-steps'

/** Makes a fresh server setup secret (for first boot and tests). */
export const createOpaqueServerSetup = async (): Promise<string> => {
  await opaque.ready
  return opaque.server.createSetup()
}

/** Computes one step somewhere; a rejection means the machinery failed, not the client's message. */
export type OpaqueStepRunner = (step: OpaqueStep) => Promise<OpaqueStepResult>

const run = (runner: OpaqueStepRunner, step: OpaqueStep) =>
  TE.tryCatch(() => runner(step), unavailable('opaque'))

/** The port over any step runner: results become Rights, refused inputs Lefts naming the field. */
export const opaqueServerOver = (runner: OpaqueStepRunner): OpaqueServer => ({
  registrationResponse: (username, registrationRequest) =>
    pipe(
      run(runner, { op: 'registrationResponse', username, registrationRequest }),
      TE.flatMap((r) =>
        r.ok && 'registrationResponse' in r
          ? TE.right(r.registrationResponse)
          : TE.left(invalidProtocolMessage('registrationRequest')),
      ),
    ),
  startLogin: (username, record, startLoginRequest) =>
    pipe(
      run(runner, { op: 'startLogin', username, record, startLoginRequest }),
      TE.flatMap((r) =>
        r.ok && 'loginResponse' in r
          ? TE.right({ loginResponse: r.loginResponse, serverLoginState: r.serverLoginState })
          : TE.left(invalidProtocolMessage('startLoginRequest')),
      ),
    ),
  finishLogin: (serverLoginState, finishLoginRequest) =>
    pipe(
      run(runner, { op: 'finishLogin', serverLoginState, finishLoginRequest }),
      TE.flatMap((r) => (r.ok ? TE.right(undefined) : TE.left(invalidCredentials))),
    ),
})

/**
 * The port computing on the calling thread: simple, but each step blocks the event loop for milliseconds.
 * Resolves once the WebAssembly module is ready.
 */
export const serenityOpaqueServer = async (serverSetup: string): Promise<OpaqueServer> => {
  await opaque.ready
  return opaqueServerOver((step) => Promise.resolve(runOpaqueStep(serverSetup, step)))
}
