import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { isDisabled } from '../../domain/account'
import { ensureActive } from '../../domain/device'
import {
  type DeviceRevoked,
  type InvalidCredentials,
  invalidCredentials,
  type SecondFactorInvalid,
  type SecondFactorRequired,
} from '../../domain/errors'
import { type AccountId, DeviceId, type SessionId, type Sha256Hex } from '../../domain/ids'
import type { RequestContext } from '../context'
import { FactorProof } from '../../domain/second-factor'
import type { RateLimited, Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { PendingState } from '../ports/login-state-store'
import type { Session } from '../ports/session-store'
import type { AccountTransaction } from '../ports/unit-of-work'
import {
  checkSecondFactor,
  ensureFactorTriesLeft,
  type FactorOutcome,
  noteFactorFailure,
} from '../second-factors/factor-steps'
import { OpaqueMessage } from '../shared/codecs'
import { utf8 } from '../shared/steps'
import { noteFailedLogin } from './note-failed-login'

export const FinishLoginInput = t.exact(
  t.intersection([
    t.type({ loginId: t.string, finishLoginRequest: OpaqueMessage }),
    t.partial({ deviceId: DeviceId, secondFactor: FactorProof }),
  ]),
)
export type FinishLoginInput = t.TypeOf<typeof FinishLoginInput>
export type SessionTokens = Readonly<{ accessToken: string; refreshToken: string; expiresIn: number }>
export type FinishLoginOutput = SessionTokens & Readonly<{ accountId: AccountId }>
export type FinishLoginError =
  InvalidCredentials | DeviceRevoked | SecondFactorRequired | SecondFactorInvalid | RateLimited | Unavailable
/**
 * OPAQUE login step 2: consumes the loginId, opens a session bound to `deviceId` when given (it must be an
 * unrevoked device of the account; an unknown one is InvalidCredentials). An account disabled since
 * start-login is refused like a wrong password. Records `login`, or `login-failed` off the answer's path and
 * at most once per account and window (note-failed-login.ts).
 * An account with a confirmed second factor also needs `secondFactor`, checked only once the password is
 * proved: without it SecondFactorRequired (the loginId is spent: the client logs in again with the factor);
 * wrong, replayed or spent: SecondFactorInvalid, one of the account's tries spent and `second-factor-failed`
 * recorded (RateLimited once none are left, before the code is looked at).
 */
export type FinishLogin = (
  input: FinishLoginInput,
  ctx: RequestContext,
) => TE.TaskEither<FinishLoginError, FinishLoginOutput>
export type FinishLoginDeps = Pick<
  Ports,
  | 'unitOfWork'
  | 'loginStates'
  | 'opaque'
  | 'tokens'
  | 'audit'
  | 'hasher'
  | 'clock'
  | 'ids'
  | 'settings'
  | 'limiter'
  | 'background'
  | 'factorSecrets'
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
        accountId !== null && proved ? TE.right(accountId) : noteFailedLogin(deps)(accountId, ctx),
      ),
    )
  }

/** `refused`: the account was deleted or disabled since start-login; nothing was written. */
type Outcome = 'opened' | 'refused'

/** The session's device must be an unrevoked device of this account. */
const checkDevice = (
  tx: AccountTransaction,
  accountId: AccountId,
  deviceId: DeviceId | undefined,
): TE.TaskEither<InvalidCredentials | DeviceRevoked | Unavailable, DeviceId | null> =>
  deviceId === undefined
    ? TE.right(null)
    : pipe(
        tx.devices.find(accountId, deviceId),
        TE.flatMap(TE.fromOption(() => invalidCredentials)),
        TE.flatMapEither(ensureActive),
        TE.map((device) => device.deviceId),
      )

/** A refresh-token family (only the token's digest is stored) and its `login` event. */
const recordLogin = (
  tx: AccountTransaction,
  ctx: RequestContext,
  session: Session,
  refreshDigest: Sha256Hex,
) =>
  pipe(
    tx.sessions.create(session, refreshDigest),
    TE.flatMap(() =>
      tx.audit.append(
        { accountId: session.accountId, type: 'login', deviceId: session.deviceId, requestId: ctx.requestId },
        session.createdAt,
      ),
    ),
  )

/**
 * One transaction: the account, locked and still enabled (an operator may disable it between start and
 * finish), then the device, then the session and its event, linked under the lock taken first. The account is
 * checked before the device, so a disabled account answers as a wrong password whatever its devices.
 */
const openSession = (
  deps: FinishLoginDeps,
  ctx: RequestContext,
  fresh: Omit<Session, 'deviceId'>,
  input: FinishLoginInput,
  refreshDigest: Sha256Hex,
) =>
  deps.unitOfWork.inAccount(fresh.accountId, (tx) =>
    pipe(
      tx.quota.lock(fresh.accountId),
      TE.flatMap((account): TE.TaskEither<Exclude<FinishLoginError, RateLimited>, Outcome> =>
        O.isNone(account) || isDisabled(account.value)
          ? TE.right('refused')
          : pipe(
              checkDevice(tx, fresh.accountId, input.deviceId),
              TE.flatMap((checked) =>
                pipe(
                  checkSecondFactor(deps)(tx, fresh.accountId, input.secondFactor),
                  TE.tap(() => recordLogin(tx, ctx, { ...fresh, deviceId: checked }, refreshDigest)),
                  TE.tap((used) => recordRecoveryCodeUse(tx, ctx, fresh, checked, used)),
                ),
              ),
              TE.as('opened' as const),
            ),
      ),
    ),
  )

/** A spent recovery code is worth its own event: the owner should notice one they did not spend. */
const recordRecoveryCodeUse = (
  tx: AccountTransaction,
  ctx: RequestContext,
  fresh: Omit<Session, 'deviceId'>,
  deviceId: DeviceId | null,
  used: FactorOutcome,
) =>
  used === 'recovery-code'
    ? tx.audit.append(
        { accountId: fresh.accountId, type: 'recovery-code-used', deviceId, requestId: ctx.requestId },
        fresh.createdAt,
      )
    : TE.right(undefined)

/**
 * Opens the session and issues its first tokens. An account deleted or disabled since it proved the password is
 * refused like a wrong password (`login-failed`, noted after the refused transaction).
 */
const issueTokens =
  (deps: FinishLoginDeps, input: FinishLoginInput, ctx: RequestContext) =>
  (accountId: AccountId): TE.TaskEither<FinishLoginError, FinishLoginOutput> => {
    const now = deps.clock.now()
    const sessionId = deps.ids.uuid() as SessionId
    const refreshToken = deps.ids.secret()
    const expiresAt = new Date(now.getTime() + deps.settings.sessionTtlSeconds * 1000)
    const fresh = { sessionId, accountId, createdAt: now, expiresAt }
    const opened: TE.TaskEither<FinishLoginError, Outcome> = pipe(
      input.secondFactor === undefined ? TE.right(undefined) : ensureFactorTriesLeft(deps)(accountId),
      TE.flatMap(() => openSession(deps, ctx, fresh, input, deps.hasher.sha256Hex(utf8(refreshToken)))),
    )
    return pipe(
      opened,
      TE.orElse((e): TE.TaskEither<FinishLoginError, Outcome> =>
        e._tag === 'SecondFactorInvalid' ? noteFactorFailure(deps)(accountId, ctx) : TE.left(e),
      ),
      TE.flatMap(
        (outcome): TE.TaskEither<FinishLoginError, Readonly<{ accessToken: string; expiresIn: number }>> =>
          outcome === 'opened'
            ? deps.tokens.issue({ accountId, sessionId })
            : noteFailedLogin(deps)(accountId, ctx),
      ),
      TE.map(({ accessToken, expiresIn }) => ({ accessToken, refreshToken, expiresIn, accountId })),
    )
  }

export const finishLogin =
  (deps: FinishLoginDeps): FinishLogin =>
  (input, ctx) =>
    pipe(
      deps.loginStates.take(input.loginId),
      TE.flatMap(proveLogin(deps, input, ctx)),
      TE.flatMap(issueTokens(deps, input, ctx)),
    )
