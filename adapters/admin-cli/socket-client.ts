/**
 * zkeb-admin's side of the admin socket (socket-server.ts): the served use cases, each one request over a
 * connection of its own, answers decoded with the protocol's codecs. A socket that cannot be reached, closes
 * early or answers what the codecs refuse is Unavailable.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import net from 'node:net'
import type * as t from 'io-ts'
import { unavailable, type Unavailable } from '../../application/errors'
import {
  type AccountNotFound,
  accountNotFound,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import {
  Answer,
  type ArgsOf,
  type Op,
  operations,
  protocolVersion,
  type ResultOf,
  type ServedAdmin,
  type WireError,
} from './socket-protocol'

const dependency = "the running server's admin socket"
const socketUnavailable = (reason: string): Unavailable => unavailable(dependency)(new Error(reason))

/** True when a server answers on `socketPath`: connecting is enough (the probe sends nothing). */
export const isServed = (socketPath: string): Promise<boolean> =>
  new Promise((resolve) => {
    const c = net.connect(socketPath)
    c.once('connect', () => {
      c.destroy()
      resolve(true)
    })
    c.once('error', () => resolve(false))
  })

const exchange = (socketPath: string, line: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let received = ''
    const c = net.connect(socketPath, () => c.write(`${line}\n`))
    c.setEncoding('utf8')
    c.on('data', (chunk: string) => (received += chunk))
    c.once('error', reject)
    c.once('close', () =>
      received.endsWith('\n') ? resolve(received) : reject(new Error('closed before answering')),
    )
  })

type Fault = AccountNotFound | VersionMismatch | Unavailable

const fromWire = (e: WireError): Fault => {
  switch (e._tag) {
    case 'AccountNotFound':
      return accountNotFound
    case 'VersionMismatch':
      return versionMismatch(e.currentVersion)
    case 'Unavailable':
      return unavailable(e.dependency)(new Error('reported by the running server'))
    case 'BadRequest':
      return socketUnavailable('the server did not understand the request (another release?)')
  }
}

const decodeAs = <A>(codec: t.Decoder<unknown, A>, u: unknown): E.Either<Fault, A> =>
  pipe(
    codec.decode(u),
    E.mapLeft(() => socketUnavailable('an answer that does not decode')),
  )

/** Keeps the failures a use case may report; any other (a server at odds with this client) is Unavailable. */
const only =
  <F extends Fault>(...tags: ReadonlyArray<F['_tag']>) =>
  (f: Fault): F | Unavailable =>
    tags.includes(f._tag) || f._tag === 'Unavailable'
      ? (f as F | Unavailable)
      : socketUnavailable(`unexpected ${f._tag}`)

const found = only<AccountNotFound>('AccountNotFound')
const changed = only<AccountNotFound | VersionMismatch>('AccountNotFound', 'VersionMismatch')
const plain = only<never>()

/** The served use cases over the socket at `socketPath`; reads are sent with `requestId`. */
export const servedAdminAt = (socketPath: string, requestId: string): ServedAdmin => {
  const call =
    <K extends Op>(op: K, args: ArgsOf<K>, id = requestId): TE.TaskEither<Fault, ResultOf<K>> =>
    () =>
      exchange(socketPath, JSON.stringify({ v: protocolVersion, op, requestId: id, args })).then(
        (text) =>
          pipe(
            E.tryCatch(
              () => JSON.parse(text) as unknown,
              () => socketUnavailable('an answer that is not JSON'),
            ),
            E.flatMap((json) => decodeAs(Answer, json)),
            E.flatMap((answer) =>
              'error' in answer
                ? E.left(fromWire(answer.error))
                : decodeAs(operations[op].result as t.Decoder<unknown, ResultOf<K>>, answer.ok),
            ),
          ),
        (e: unknown) => E.left(socketUnavailable((e as Error).message)),
      )
  return {
    listAccounts: (q) =>
      pipe(call('listAccounts', { after: O.toNullable(q.after), limit: q.limit }), TE.mapError(plain)),
    showAccount: (ref) => pipe(call('showAccount', { ref }), TE.mapError(found)),
    enableAccount: (ref, ctx) => pipe(call('enableAccount', { ref }, ctx.requestId), TE.mapError(changed)),
    disableAccount: (ref, ctx) => pipe(call('disableAccount', { ref }, ctx.requestId), TE.mapError(changed)),
    setAccountQuota: (ref, limitBytes, ctx) =>
      pipe(call('setAccountQuota', { ref, limitBytes }, ctx.requestId), TE.mapError(changed)),
    deleteAccount: (ref, ctx) => pipe(call('deleteAccount', { ref }, ctx.requestId), TE.mapError(changed)),
    listAccountDevices: (ref) => pipe(call('listAccountDevices', { ref }), TE.mapError(found)),
    revokeAccountSessions: (ref, ctx) =>
      pipe(call('revokeAccountSessions', { ref }, ctx.requestId), TE.mapError(found)),
    getServiceStats: () => pipe(call('getServiceStats', {}), TE.mapError(plain)),
  }
}
