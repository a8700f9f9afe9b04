/**
 * Knows the CLI's contact with the outside: its output streams, its environment and how a secret is read
 * without echo (no-echo-reader.ts). `main` takes a CliIo, so tests drive the real CLI in-process with fake
 * streams.
 */
import { noEchoReader, type ReadLine } from './no-echo-reader'

export type OutputStream = Readonly<{ write: (text: string) => unknown; isTTY?: boolean; columns?: number }>

export type CliIo = Readonly<{
  stdout: OutputStream
  stderr: OutputStream
  env: Readonly<Record<string, string | undefined>>
  /**
   * Reads one line without echoing it: the line; null when the input ended (Ctrl-D) before a line; undefined
   * when there is no terminal to ask.
   */
  readSecret: (prompt: string) => Promise<string | null | undefined>
}>

/** Prompts on stderr and reads from stdin when stdin is a terminal; one reader for the whole run. */
const terminalSecrets = (): CliIo['readSecret'] => {
  let reader: ReadLine | undefined
  return (prompt) => {
    if (process.stdin.isTTY !== true) return Promise.resolve(undefined)
    reader ??= noEchoReader(process.stdin, process.stderr)
    return reader(prompt)
  }
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readSecret: terminalSecrets(),
})
