/**
 * Reads lines typed at a terminal without echoing them. The terminal is in raw mode (no echo, no kernel line
 * editing, no signal keys) only while a prompt waits, and the prompt is written once echo is off, so nothing
 * typed after it shows. The little editing a secret needs is done here: Backspace, Ctrl-U (erase the line),
 * Enter; escape sequences (arrow keys, bracketed-paste markers) are skipped. Ctrl-D on an empty line is the
 * end of input, Ctrl-C interrupts the process as it would anywhere else.
 * One reader serves every prompt of a run: what arrives after a line (a password pasted with its repetition)
 * waits for the next prompt instead of being dropped.
 */
import type { EventEmitter } from 'node:events'
import { StringDecoder } from 'node:string_decoder'

/** The terminal side this needs; process.stdin when it is a TTY. */
export type TerminalInput = Pick<EventEmitter, 'on' | 'once' | 'off'> &
  Readonly<{ setRawMode: (raw: boolean) => unknown; resume: () => unknown; pause: () => unknown }>

/** A typed line, or null when the input ended (Ctrl-D, or the terminal went away) before one. */
export type ReadLine = (prompt: string) => Promise<string | null>

type Step =
  | Readonly<{ kind: 'line'; line: string; rest: string }>
  | Readonly<{ kind: 'end'; rest: string }>
  | Readonly<{ kind: 'interrupt' }>
  | Readonly<{ kind: 'more'; typed: string; rest: string }>

/** An escape sequence's length at the start of `s` (CSI `ESC [ … final`, SS3 `ESC O key`, else ESC + one key); 0 if incomplete. */
const escapeLength = (s: string): number => {
  if (s.length < 2) return 0
  if (s[1] === 'O') return s.length < 3 ? 0 : 3
  if (s[1] !== '[') return 2
  for (let i = 2; i < s.length; i++) if (s.charCodeAt(i) >= 0x40 && s.charCodeAt(i) <= 0x7e) return i + 1
  return 0
}

/** Applies the keys in `pending` to the line `typed` so far, up to the first Enter. */
export const step = (typed: string, pending: string): Step => {
  let line = typed
  let i = 0
  while (i < pending.length) {
    const c = pending[i]!
    if (c === '\r' || c === '\n') {
      const next = pending[i + 1]
      return { kind: 'line', line, rest: pending.slice(c === '\r' && next === '\n' ? i + 2 : i + 1) }
    }
    if (c === '\x03') return { kind: 'interrupt' }
    if (c === '\x04' && line === '') return { kind: 'end', rest: pending.slice(i + 1) }
    if (c === '\x1b') {
      const length = escapeLength(pending.slice(i))
      if (length === 0) return { kind: 'more', typed: line, rest: pending.slice(i) }
      i += length
      continue
    }
    if (c === '\x7f' || c === '\b') line = Array.from(line).slice(0, -1).join('')
    else if (c === '\x15') line = ''
    else if (c >= ' ') line += c
    i++
  }
  return { kind: 'more', typed: line, rest: '' }
}

/** A reader of no-echo lines from `input`, prompting on `output`. */
export const noEchoReader = (
  input: TerminalInput,
  output: Readonly<{ write: (text: string) => unknown }>,
): ReadLine => {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let ended = false
  return (prompt) =>
    new Promise((resolve) => {
      let typed = ''
      const finish = (result: string | null) => {
        input.off('data', onData)
        input.off('end', onEnd)
        input.setRawMode(false)
        input.pause()
        output.write('\n')
        resolve(result)
      }
      const advance = () => {
        const next = step(typed, pending)
        if (next.kind === 'more') {
          typed = next.typed
          pending = next.rest
        } else if (next.kind === 'line') {
          pending = next.rest
          finish(next.line)
        } else if (next.kind === 'end') {
          pending = next.rest
          finish(null)
        } else {
          finish(null)
          process.kill(process.pid, 'SIGINT')
        }
      }
      const onData = (chunk: Buffer | string) => {
        pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
        advance()
      }
      const onEnd = () => {
        ended = true
        finish(null) // a line counts only once Enter ends it
      }
      input.setRawMode(true)
      output.write(prompt)
      if (ended) return finish(null)
      input.on('data', onData)
      input.once('end', onEnd)
      input.resume()
      advance()
    })
}
