/** OPAQUE logins, the sessions they open, and the access checks every request makes. Every use case's codecs and types, and the registry that wires them from the ports. */
import type { Ports } from '../ports'
import { startLogin, type StartLogin } from './start-login'
import { finishLogin, type FinishLogin } from './finish-login'
import { refreshSession, type RefreshSession } from './refresh-session'
import {
  authenticate,
  type Authenticate,
  authenticateAlongside,
  type AuthenticateAlongside,
} from './authenticate'
import { logout, type Logout } from './logout'

export * from './authenticate'
export * from './finish-login'
export * from './logout'
export * from './refresh-session'
export * from './start-login'

export type SessionUseCases = Readonly<{
  startLogin: StartLogin
  finishLogin: FinishLogin
  refreshSession: RefreshSession
  authenticate: Authenticate
  authenticateAlongside: AuthenticateAlongside
  logout: Logout
}>

export const makeSessionUseCases = (ports: Ports): SessionUseCases => ({
  startLogin: startLogin(ports),
  finishLogin: finishLogin(ports),
  refreshSession: refreshSession(ports),
  authenticate: authenticate(ports),
  authenticateAlongside: authenticateAlongside(ports),
  logout: logout(ports),
})
