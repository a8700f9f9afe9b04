/**
 * Second factors of the account (api.md, Second factors): TOTP enrolment (the secret shown once, then
 * confirmed by a code, which hands out the recovery codes once), listing and removal. Enrolment and removal
 * need a fresh login (isFreshLoginRequired; reauthenticate, then retry).
 * SECURITY: the secret and the recovery codes are returned to the caller only; show them, never keep them.
 */
import type * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { attempt, type SdkError } from './errors'
import { expectJson, expectStatus } from './http-transport'
import type { Session } from './session'

const TotpEnrolment = t.type({ factorId: t.string, secret: t.string, otpauthUri: t.string })
export type TotpEnrolment = t.TypeOf<typeof TotpEnrolment>
const ConfirmedTotp = t.type({ recoveryCodes: t.array(t.string) })
const SecondFactor = t.type({ factorId: t.string, kind: t.string, createdAt: t.string, confirmed: t.boolean })
export type SecondFactor = t.TypeOf<typeof SecondFactor>
const SecondFactorList = t.type({ items: t.array(SecondFactor), recoveryCodesLeft: t.number })
export type SecondFactorList = t.TypeOf<typeof SecondFactorList>

/** A new TOTP secret for the authenticator app; it gates nothing until confirmTotp. */
export const startTotpEnrolment = (session: Session): Promise<E.Either<SdkError, TotpEnrolment>> =>
  attempt(async () =>
    expectJson(
      await session.http.transport.send({ method: 'POST', path: '/api/v1/second-factors/totp', auth: true }),
      201,
      TotpEnrolment,
    ),
  )

/** Confirms the enrolment with a code from the app; the first factor comes with recovery codes (else []). */
export const confirmTotp = (
  session: Session,
  factorId: string,
  code: string,
): Promise<E.Either<SdkError, ReadonlyArray<string>>> =>
  attempt(async () => {
    const res = await session.http.transport.send({
      method: 'POST',
      path: '/api/v1/second-factors/totp/confirm',
      auth: true,
      json: { factorId, code },
    })
    return (await expectJson(res, 200, ConfirmedTotp)).recoveryCodes
  })

export const listSecondFactors = (session: Session): Promise<E.Either<SdkError, SecondFactorList>> =>
  attempt(async () =>
    expectJson(
      await session.http.transport.send({ method: 'GET', path: '/api/v1/second-factors', auth: true }),
      200,
      SecondFactorList,
    ),
  )

/** Removes a factor; with the last one go the recovery codes. */
export const removeSecondFactor = (session: Session, factorId: string): Promise<E.Either<SdkError, void>> =>
  attempt(async () =>
    expectStatus(
      await session.http.transport.send({
        method: 'DELETE',
        path: `/api/v1/second-factors/${encodeURIComponent(factorId)}`,
        auth: true,
      }),
      204,
    ),
  )
