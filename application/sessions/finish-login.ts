import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { isDisabled } from '../../domain/account'
import { ensureActive } from '../../domain/device'
import { type DeviceRevoked, type InvalidCredentials, invalidCredentials } from '../../domain/errors'
import { type AccountId, DeviceId, type SessionId } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { PendingState } from '../ports/login-state-store'
import { OpaqueMessage } from '../shared/codecs'
import { recordEvent, utf8 } from '../shared/steps'

export const FinishLoginInput = t.exact(
  t.intersection([
    t.type({ loginId: t.string, finishLoginRequest: OpaqueMessage }),
    t.partial({ deviceId: DeviceId }),
  ]),
)
export type FinishLoginInput = t.TypeOf<typeof FinishLoginInput>
export type SessionTokens = Readonly<{ accessToken: string; refreshToken: string; expiresIn: number }>
export type FinishLoginOutput = SessionTokens & Readonly<{ accountId: AccountId }>
export type FinishLoginError = InvalidCredentials | DeviceRevoked | Unavailable
/**
 * OPAQUE login step 2: consumes the loginId, opens a session bound to `deviceId` when given (it must be an
 * unrevoked device of the account; an unknown one is InvalidCredentials). An account disabled since
 * start-login is refused like a wrong password. Records `login` or `login-failed`.
 */
export type FinishLogin = (
  input: FinishLoginInput,
  ctx: RequestContext,
) => TE.TaskEither<FinishLoginError, FinishLoginOutput>
export type FinishLoginDeps = Pick<
  Ports,
  | 'accounts'
  | 'devices'
  | 'loginStates'
  | 'opaque'
  | 'logins'
  | 'tokens'
  | 'audit'
  | 'hasher'
  | 'clock'
  | 'ids'
  | 'settings'
>

/** The OPAQUE proof; a fake login (unknown username) runs the same work and then fails. */
const proveLogin =
  (deps: FinishLoginDeps, input: FinishLoginInput, ctx: RequestContext) =>
  (pending: O.Option<PendingState>): TE.TaskEither<InvalidCredentials | Unavailable, AccountId> => {
    if (O.isNone(pending) || pending.value.kind !== 'login') return TE.left(invalidCredentials)
    const { accountId, serverLoginState } = pending.value
    return pipe(
      deps.opaque.finishLogin(serverLoginState, input.finishLoginRequest),
      TE.map(() => true),
      TE.orElse((e) => (e._tag === 'Unavailable' ? TE.left(e) : TE.right(false))),
      TE.flatMap((proved) =>
        accountId === null
          ? TE.left(invalidCredentials)
          : proved
            ? TE.right(accountId)
            : pipe(
                recordEvent(deps)(accountId, 'login-failed', ctx),
                TE.flatMap(() => TE.left(invalidCredentials)),
              ),
      ),
    )
  }

/**
 * start-login refuses a disabled account, but an operator may disable it between start and finish: checked
 * again here, and refused exactly like a wrong password (same error, same audit event), so a login reveals
 * nothing about the account's state. A deleted account fails the same way.
 */
const ensureEnabled =
  (deps: FinishLoginDeps, ctx: RequestContext) =>
  (accountId: AccountId): TE.TaskEither<InvalidCredentials | Unavailable, AccountId> =>
    pipe(
      deps.accounts.findById(accountId),
      TE.flatMap((found) =>
        O.isSome(found) && !isDisabled(found.value)
          ? TE.right(accountId)
          : pipe(
              recordEvent(deps)(accountId, 'login-failed', ctx),
              TE.flatMap(() => TE.left(invalidCredentials)),
            ),
      ),
    )

/** The session's device must be an unrevoked device of this account. */
const checkDevice =
  (deps: FinishLoginDeps, deviceId: DeviceId | undefined) =>
  (accountId: AccountId): TE.TaskEither<InvalidCredentials | DeviceRevoked | Unavailable, DeviceId | null> =>
    deviceId === undefined
      ? TE.right(null)
      : pipe(
          deps.devices.find(accountId, deviceId),
          TE.flatMap(TE.fromOption(() => invalidCredentials)),
          TE.flatMapEither(ensureActive),
          TE.map((device) => device.deviceId),
        )

/**
 * Starts a refresh-token family (only the token's digest is stored) and records `login`, together. An account
 * deleted or disabled since it proved the password is refused like a wrong password (`login-failed`).
 */
const openSession =
  (deps: FinishLoginDeps, ctx: RequestContext) =>
  (
    accountId: AccountId,
    deviceId: DeviceId | null,
  ): TE.TaskEither<InvalidCredentials | Unavailable, FinishLoginOutput> => {
    const now = deps.clock.now()
    const sessionId = deps.ids.uuid() as SessionId
    const refreshToken = deps.ids.secret()
    const expiresAt = new Date(now.getTime() + deps.settings.sessionTtlSeconds * 1000)
    return pipe(
      deps.logins.open(
        { sessionId, accountId, deviceId, createdAt: now, expiresAt },
        deps.hasher.sha256Hex(utf8(refreshToken)),
        ctx.requestId,
      ),
      TE.flatMap((outcome) =>
        outcome === 'opened'
          ? deps.tokens.issue({ accountId, sessionId })
          : pipe(
              recordEvent(deps)(accountId, 'login-failed', ctx),
              TE.flatMap(() => TE.left(invalidCredentials)),
            ),
      ),
      TE.map(({ accessToken, expiresIn }) => ({ accessToken, refreshToken, expiresIn, accountId })),
    )
  }

/**
 * A login naming a device checks the account before the device (a disabled account answers as a wrong password,
 * whatever its devices); without one, opening the session checks the account, in the same transaction.
 */
export const finishLogin =
  (deps: FinishLoginDeps): FinishLogin =>
  (input, ctx) =>
    pipe(
      deps.loginStates.take(input.loginId),
      TE.flatMap(proveLogin(deps, input, ctx)),
      TE.flatMap((accountId) =>
        input.deviceId === undefined
          ? openSession(deps, ctx)(accountId, null)
          : pipe(
              ensureEnabled(deps, ctx)(accountId),
              TE.flatMap(checkDevice(deps, input.deviceId)),
              TE.flatMap((deviceId) => openSession(deps, ctx)(accountId, deviceId)),
            ),
      ),
    )
