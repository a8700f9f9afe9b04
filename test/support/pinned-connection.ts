/**
 * One kept-alive TCP connection to a server, and which process of a node:cluster serves it. The cluster
 * hands each accepted connection to one worker for good, so every request on a pinned connection reaches the
 * same worker; /proc tells which (Linux only): the server side's socket inode, then the worker holding it.
 */
import { readdir, readFile, readlink } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import type { HttpCaller } from '../adapters/http/http-test-kit'

export type PinnedConnection = HttpCaller &
  Readonly<{
    /** The client side's port of the connection the last answer came over. */
    localPort: () => number | undefined
    close: () => void
  }>

/** Calls `base` over one connection, reopened only if the server closes it (JSON bodies and tokens only). */
export const pinnedConnection = (base: string): PinnedConnection => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let localPort: number | undefined
  const call: HttpCaller['call'] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const body = o.json === undefined ? undefined : JSON.stringify(o.json)
      const headers: Record<string, string> = {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` }),
        ...o.headers,
      }
      const req = request(base + path, { method, agent, headers }, (res) => {
        localPort = req.socket?.localPort
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const content = [204, 304].includes(status) ? null : Buffer.concat(chunks)
          const headers = Object.entries(res.headers).flatMap(([name, value]) =>
            value === undefined
              ? []
              : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
          )
          resolve(new Response(content, { status, headers }))
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  return { call, localPort: () => localPort, close: () => agent.destroy() }
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0')

/** The inode of the server's end of 127.0.0.1:clientPort -> 127.0.0.1:serverPort, from /proc/net/tcp. */
const serverSocketInode = async (serverPort: number, clientPort: number): Promise<string | undefined> => {
  const [local, remote] = [`0100007F:${hexPort(serverPort)}`, `0100007F:${hexPort(clientPort)}`]
  const rows = (await readFile('/proc/net/tcp', 'utf8')).split('\n').map((l) => l.trim().split(/\s+/))
  return rows.find((columns) => columns[1] === local && columns[2] === remote)?.[9]
}

/** Which of `pids` holds the server's end of the connection from `clientPort`; undefined if none does. */
export const servingPid = async (
  serverPort: number,
  clientPort: number,
  pids: ReadonlyArray<number>,
): Promise<number | undefined> => {
  const inode = await serverSocketInode(serverPort, clientPort)
  if (inode === undefined) return undefined
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
    if (links.includes(`socket:[${inode}]`)) return pid
  }
  return undefined
}
