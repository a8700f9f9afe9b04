/**
 * Knows how many streams (downloads and uploads of content) each account has open in this process, and
 * refuses one more beyond the limit. Why: a stream lasts as long as its peer wants (a client that stops
 * reading or sending holds its socket, a file handle or a batch of chunks until the stalled-stream timeout
 * ends it), so without a bound one account could hold any number of them. A slot is given back when the
 * response closes, whichever way: answered in full, failed, or cut by the client or by a timeout.
 */
import type { ServerResponse } from 'node:http'

/** Enough for restic's parallel connections (5 by default) and a few clients of one account at once. */
export const defaultAccountStreamsMax = 16

/** Seconds a refused client should wait: a slot frees as soon as one of its own streams ends. */
export const streamSlotRetryAfterSeconds = 1

export type StreamSlots = Readonly<{
  max: number
  /** Takes a slot of `accountId` until `res` closes; false (nothing taken) when all are held. */
  take: (accountId: string, res: ServerResponse) => boolean
  /** Slots `accountId` holds now. */
  held: (accountId: string) => number
}>

export const streamSlots = (max: number = defaultAccountStreamsMax): StreamSlots => {
  const open = new Map<string, number>()
  const release = (accountId: string) => {
    const left = (open.get(accountId) ?? 1) - 1
    if (left > 0) open.set(accountId, left)
    else open.delete(accountId)
  }
  return {
    max,
    take: (accountId, res) => {
      const held = open.get(accountId) ?? 0
      if (held >= max) return false
      open.set(accountId, held + 1)
      // A response already closed (the client left while the request was authenticated) emits no more 'close'.
      if (res.closed || res.socket?.destroyed !== false) release(accountId)
      else res.once('close', () => release(accountId))
      return true
    },
    held: (accountId) => open.get(accountId) ?? 0,
  }
}
