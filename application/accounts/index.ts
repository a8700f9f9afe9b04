/** Registration, login credentials, the key bundle and the account itself. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { startRegistration, type StartRegistration } from './start-registration'
import { finishRegistration, type FinishRegistration } from './finish-registration'
import { getAccount, type GetAccount } from './get-account'
import { updateKeyBundle, type UpdateKeyBundle } from './update-key-bundle'
import { startPasswordChange, type StartPasswordChange } from './start-password-change'
import { finishPasswordChange, type FinishPasswordChange } from './finish-password-change'
import { startRecovery, type StartRecovery } from './start-recovery'
import { finishRecovery, type FinishRecovery } from './finish-recovery'
import { deleteAccount, type DeleteAccount } from './delete-account'
import { rotateKeys, type RotateKeys } from './rotate-keys'

export * from './delete-account'
export * from './finish-password-change'
export * from './finish-recovery'
export * from './finish-registration'
export * from './get-account'
export * from './rotate-keys'
export * from './start-password-change'
export * from './start-recovery'
export * from './start-registration'
export * from './update-key-bundle'

export type AccountUseCases = Readonly<{
  startRegistration: StartRegistration
  finishRegistration: FinishRegistration
  getAccount: GetAccount
  updateKeyBundle: UpdateKeyBundle
  startPasswordChange: StartPasswordChange
  finishPasswordChange: FinishPasswordChange
  startRecovery: StartRecovery
  finishRecovery: FinishRecovery
  deleteAccount: DeleteAccount
  rotateKeys: RotateKeys
}>

export const makeAccountUseCases = (ports: Ports): AccountUseCases => ({
  startRegistration: startRegistration(ports),
  finishRegistration: finishRegistration(ports),
  getAccount: getAccount(ports),
  updateKeyBundle: updateKeyBundle(ports),
  startPasswordChange: startPasswordChange(ports),
  finishPasswordChange: finishPasswordChange(ports),
  startRecovery: startRecovery(ports),
  finishRecovery: finishRecovery(ports),
  deleteAccount: deleteAccount(ports),
  rotateKeys: rotateKeys(ports),
})
