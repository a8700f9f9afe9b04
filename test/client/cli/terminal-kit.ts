/**
 * Runs the real `zkeb` executable on a real pseudo-terminal: util-linux `script` allocates the pty, runs the
 * command in it and relays what the test writes to its stdin as keys typed at that terminal. What comes back
 * is everything the terminal showed (prompts, output, and any echo of typed keys).
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const bin = join(__dirname, '..', '..', '..', 'client', 'cli', 'bin.js')

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** Where `text` ends in `rest`, or undefined when it is not there. */
const find = (rest: string, text: string | RegExp): number | undefined => {
  if (typeof text === 'string') {
    const index = rest.indexOf(text)
    return index < 0 ? undefined : index + text.length
  }
  const match = text.exec(rest)
  return match === null ? undefined : match.index + match[0].length
}

export type Terminal = Readonly<{
  /** Everything the terminal showed so far, with the pty's CR LF turned into LF. */
  screen: () => string
  /** Resolves once `text` appears on the screen after what earlier waits consumed; fails after `ms`. */
  waitFor: (text: string | RegExp, ms?: number) => Promise<void>
  /** Types `keys` at the terminal (`\r` is Enter, `\x04` Ctrl-D, `\x03` Ctrl-C). */
  type: (keys: string) => void
  /** The exit code `script -e` passes on (128 + signal when the command died of one). */
  exited: Promise<number | null>
}>

/** Starts `zkeb ARGS…` on a new pty with `env` (and PATH) as its whole environment. */
export const zkebInTerminal = (args: ReadonlyArray<string>, env: Record<string, string>): Terminal => {
  const command = ['exec', process.execPath, bin, ...args].map(shellQuote).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', SHELL: '/bin/sh', TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let screen = ''
  let consumed = 0
  const listeners = new Set<() => void>()
  const seen = (chunk: Buffer) => {
    screen += chunk.toString('utf8').replace(/\r\n/g, '\n')
    for (const listener of listeners) listener()
  }
  child.stdout.on('data', seen)
  child.stderr.on('data', seen)
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      for (const listener of listeners) listener()
      resolve(code)
    })
  })
  const waitFor = (text: string | RegExp, ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = find(screen.slice(consumed), text)
        if (found !== undefined) {
          consumed += found
          done()
          resolve()
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done()
          reject(new Error(`exited before ${String(text)} appeared; the screen:\n${screen}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`${String(text)} did not appear within ${ms} ms; the screen:\n${screen}`))
      }, ms)
      const done = () => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      listeners.add(check)
      check()
    })
  return {
    screen: () => screen,
    waitFor,
    type: (keys) => void child.stdin.write(keys),
    exited: exited.finally(() => child.stdin.end()),
  }
}
