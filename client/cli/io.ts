/**
 * Knows the CLI's contact with the outside: its output streams, its environment and how a secret is read
 * without echo. `main` takes a CliIo, so tests drive the real CLI in-process with fake streams.
 */
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'

export type OutputStream = Readonly<{ write: (text: string) => unknown; isTTY?: boolean; columns?: number }>

export type CliIo = Readonly<{
  stdout: OutputStream
  stderr: OutputStream
  env: Readonly<Record<string, string | undefined>>
  /** Reads one line without echoing it; undefined when there is no terminal to ask. */
  readSecret: (prompt: string) => Promise<string | undefined>
}>

/** Prompts on stderr and reads a line from a terminal stdin with echo muted. */
const readSecretFromTerminal = (prompt: string): Promise<string | undefined> => {
  if (process.stdin.isTTY !== true) return Promise.resolve(undefined)
  process.stderr.write(prompt)
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      rl.close()
      process.stderr.write('\n')
      resolve(line)
    })
    rl.once('close', () => resolve(undefined))
  })
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readSecret: readSecretFromTerminal,
})
