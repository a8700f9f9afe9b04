/** Knows the account as the SDK shows it: identity, key bundle version and quota. */
import type * as E from 'fp-ts/Either'
import { attempt, type SdkError } from './errors'
import type { Session } from './session'
import type { Account } from './wire'

export const getAccount = (session: Session): Promise<E.Either<SdkError, Account>> =>
  attempt(() => session.http.getAccount())
