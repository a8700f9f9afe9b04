/**
 * Asks the operator to confirm what cannot be undone by typing a name back, on a terminal only: without one
 * (a script, a pipe), the command wants --yes instead, so nothing irreversible ever runs unattended by mistake.
 */
import { createInterface } from 'node:readline'
import { AdminError, type AdminIo, ExitCode } from './output'

const readLine = (input: NonNullable<AdminIo['stdin']>): Promise<string> =>
  new Promise((resolve) => {
    const lines = createInterface({ input, terminal: false })
    let answered = false
    const done = (line: string) => {
      if (answered) return
      answered = true
      lines.close()
      resolve(line)
    }
    lines.once('line', done)
    lines.once('close', () => done(''))
  })

/**
 * Resolves when `yes`, or when the operator types `expected` back; otherwise AdminError: usage (2) without a
 * terminal, declined (8) for any other answer (end of input included).
 */
export const confirmByTyping = async (
  io: AdminIo,
  yes: boolean,
  warning: string,
  expected: string,
): Promise<void> => {
  if (yes) return
  if (io.stdin?.isTTY !== true)
    throw new AdminError(ExitCode.usage, `${warning}: confirm with --yes (no terminal to ask on)`)
  io.stderr.write(`${warning}.\nType ${expected} to confirm: `)
  const answer = await readLine(io.stdin)
  if (answer.trim() !== expected)
    throw new AdminError(ExitCode.declined, 'not confirmed: nothing was changed')
}
