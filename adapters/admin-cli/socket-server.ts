/**
 * The admin socket, served by a running server that holds DATA_DIR (adapters/composition/admin-socket.ts): the
 * account use cases and the statistics, in the server's own process, so zkeb-admin works while `npm start`
 * runs, through the server's pools, session store and caches (a session it ends is ended where it lives).
 *
 * SECURITY: a Unix socket, mode 0600, in DATA_DIR: only the server's own OS user (and root) may connect, which
 * is the same trust as reading DATA_DIR/secrets. Connections accepted before the mode is set are dropped. One
 * request per connection, at most maxRequestBytes, within 10 s; answers carry no cause, and the log line names
 * the operation, the request id, the outcome and the account by keyed hash, never the arguments.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { chmod, lstat, unlink } from 'node:fs/promises'
import net from 'node:net'
import type { Unavailable } from '../../application/errors'
import type { RequestContext } from '../../application/context'
import type { AccountNotFound, VersionMismatch } from '../../domain/errors'
import {
  Answer,
  type ArgsOf,
  maxRequestBytes,
  type Op,
  operations,
  Request,
  type ServedAdmin,
  type WireError,
} from './socket-protocol'

export type SocketLog = Readonly<{
  info: (fields: Record<string, unknown>, message: string) => void
  warn: (fields: Record<string, unknown>, message: string) => void
  /** How logs name an account (a keyed hash, as the HTTP request lines do), never by id or username. */
  account: (accountId: string) => string
}>

export type AdminSocketServer = Readonly<{
  path: string
  /**
   * Stops accepting and removes the socket, then waits for requests in progress, at most closeGraceMs: one
   * still running after that fails once the server closes its pools, and is run again once it is back.
   */
  close: () => Promise<void>
}>

const closeGraceMs = 10_000

type ServedError = AccountNotFound | VersionMismatch | Unavailable
type Handlers = { readonly [K in Op]: (args: ArgsOf<K>) => TE.TaskEither<ServedError, unknown> }

const handlers = (admin: ServedAdmin, ctx: RequestContext): Handlers => ({
  listAccounts: ({ after, limit }) => admin.listAccounts({ after: O.fromNullable(after), limit }),
  showAccount: ({ ref }) => admin.showAccount(ref),
  enableAccount: ({ ref }) => admin.enableAccount(ref, ctx),
  disableAccount: ({ ref }) => admin.disableAccount(ref, ctx),
  setAccountQuota: ({ ref, limitBytes }) => admin.setAccountQuota(ref, limitBytes, ctx),
  deleteAccount: ({ ref }) => admin.deleteAccount(ref, ctx),
  listAccountDevices: ({ ref }) => admin.listAccountDevices(ref),
  revokeAccountSessions: ({ ref }) => admin.revokeAccountSessions(ref, ctx),
  getServiceStats: () => admin.getServiceStats(),
})

const badRequest: WireError = { _tag: 'BadRequest' }

const toWire = (e: ServedError): WireError => {
  switch (e._tag) {
    case 'AccountNotFound':
      return { _tag: 'AccountNotFound' }
    case 'VersionMismatch':
      return { _tag: 'VersionMismatch', currentVersion: e.currentVersion }
    case 'Unavailable':
      return { _tag: 'Unavailable', dependency: e.dependency }
  }
}

const invoke = <K extends Op>(table: Handlers, op: K, args: unknown): TE.TaskEither<WireError, unknown> => {
  const decoded = (operations[op].args as { decode: (u: unknown) => E.Either<unknown, ArgsOf<K>> }).decode(
    args,
  )
  return E.isLeft(decoded) ? TE.left(badRequest) : pipe(table[op](decoded.right), TE.mapError(toWire))
}

const parse = (line: string): E.Either<WireError, Request> =>
  pipe(
    E.tryCatch(
      () => JSON.parse(line) as unknown,
      () => badRequest,
    ),
    E.flatMap((json) =>
      pipe(
        Request.decode(json),
        E.mapLeft(() => badRequest),
      ),
    ),
  )

/** The account a result names (a view, a name, a device listing), for the log line. */
const accountIdIn = (result: unknown): string | undefined => {
  const named = (u: unknown) =>
    typeof u === 'object' && u !== null && 'accountId' in u && typeof u.accountId === 'string'
      ? u.accountId
      : undefined
  return (
    named(result) ??
    (typeof result === 'object' && result !== null && 'account' in result ? named(result.account) : undefined)
  )
}

/** Answers one request line; never rejects (a thrown bug answers Unavailable and is logged by tag only). */
const answer = async (admin: ServedAdmin, line: string, log: SocketLog): Promise<string> => {
  const request = parse(line)
  if (E.isLeft(request)) return JSON.stringify(Answer.encode({ error: request.left }))
  const { op, requestId, args } = request.right
  const result = await invoke(handlers(admin, { requestId }), op, args)().catch(
    (): E.Either<WireError, unknown> => E.left({ _tag: 'Unavailable', dependency: 'the server' }),
  )
  const accountId = E.isRight(result) ? accountIdIn(result.right) : undefined
  log.info(
    {
      requestId,
      op,
      outcome: E.isRight(result) ? 'ok' : result.left._tag,
      ...(accountId === undefined ? {} : { account: log.account(accountId) }),
    },
    'admin socket request',
  )
  return JSON.stringify(E.isRight(result) ? { ok: result.right } : { error: result.left })
}

const serveConnection = (admin: ServedAdmin, log: SocketLog, isOpen: () => boolean) => (c: net.Socket) => {
  if (!isOpen()) return void c.destroy()
  let buffered = ''
  c.setEncoding('utf8')
  c.setTimeout(10_000, () => c.destroy())
  c.on('error', () => undefined)
  c.on('data', (chunk: string) => {
    buffered += chunk
    const end = buffered.indexOf('\n')
    if (end < 0) {
      if (buffered.length > maxRequestBytes) c.destroy()
      return
    }
    c.removeAllListeners('data')
    c.setTimeout(0)
    void answer(admin, buffered.slice(0, end), log).then((text) => c.end(`${text}\n`))
  })
}

/** A socket left by a server that was killed: removed (the caller holds DATA_DIR); anything else is kept. */
const removeStaleSocket = async (socketPath: string): Promise<boolean> => {
  const found = await lstat(socketPath).catch(() => null)
  if (found === null) return true
  if (!found.isSocket()) return false
  await unlink(socketPath)
  return true
}

/**
 * Serves `admin` on `socketPath`; resolves once the socket has mode 0600. Resolves to null, with a warning,
 * when the path is taken by something that is not a socket or cannot be listened on (too long a path, for
 * instance): the server runs on, and zkeb-admin then reports DATA_DIR as in use.
 */
export const serveAdminSocket = async (
  socketPath: string,
  admin: ServedAdmin,
  log: SocketLog,
): Promise<AdminSocketServer | null> => {
  let open = false
  const server = net.createServer(serveConnection(admin, log, () => open))
  try {
    if (!(await removeStaleSocket(socketPath))) throw new Error('the path exists and is not a socket')
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socketPath, () => resolve())
    })
    await chmod(socketPath, 0o600)
  } catch (e) {
    server.close()
    log.warn({ path: socketPath, reason: (e as Error).message }, 'admin socket not served')
    return null
  }
  open = true
  return {
    path: socketPath,
    close: async () => {
      open = false
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await unlink(socketPath).catch(() => undefined)
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeGraceMs)))
      await Promise.race([closed, grace]).finally(() => clearTimeout(timer))
    },
  }
}
