/** Second factors (TOTP, recovery codes): enrolment, listing and removal; the login check is in factor-steps. */
import type { Ports } from '../ports'
import { confirmTotp, type ConfirmTotp } from './confirm-totp'
import { listFactors, type ListFactors } from './list-factors'
import { removeFactor, type RemoveFactor } from './remove-factor'
import { startTotpEnrolment, type StartTotpEnrolment } from './start-totp-enrolment'

export * from './confirm-totp'
export * from './factor-steps'
export * from './list-factors'
export * from './remove-factor'
export * from './start-totp-enrolment'

export type SecondFactorUseCases = Readonly<{
  startTotpEnrolment: StartTotpEnrolment
  confirmTotp: ConfirmTotp
  listFactors: ListFactors
  removeFactor: RemoveFactor
}>

export const makeSecondFactorUseCases = (ports: Ports): SecondFactorUseCases => ({
  startTotpEnrolment: startTotpEnrolment(ports),
  confirmTotp: confirmTotp(ports),
  listFactors: listFactors(ports),
  removeFactor: removeFactor(ports),
})
