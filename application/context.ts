/** Who is asking: every use case receives this from the driving adapter, never from the request body. */
import type { AccountId, DeviceId, SessionId } from '../domain/ids'
import type { ResticGrant } from '../domain/restic'

/** An unauthenticated request. `requestId` ties audit events to operators' logs. */
export type RequestContext = Readonly<{ requestId: string }>

/**
 * An authenticated request: the access token's account and session, checked live. `loggedInAt` is when the
 * session's OPAQUE login completed (its refreshes keep it): how fresh the caller's proof of the password is.
 */
export type Caller = RequestContext &
  Readonly<{ accountId: AccountId; sessionId: SessionId; deviceId: DeviceId | null; loggedInAt: Date }>

/** A restic request: the grant of its basic-auth token, checked live on every request. */
export type ResticCaller = RequestContext & ResticGrant
