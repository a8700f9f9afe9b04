/**
 * Knows how zkeb-admin speaks: results on stdout (a line of text, or one JSON document with --json),
 * progress and errors on stderr, progress only when stderr is a terminal and --json is off.
 */
export type OutputStream = Readonly<{ write: (text: string) => unknown; isTTY?: boolean }>

/** Where a confirmation is read from: only a terminal is asked. */
export type InputStream = NodeJS.ReadableStream & Readonly<{ isTTY?: boolean }>

export type AdminIo = Readonly<{
  stdout: OutputStream
  stderr: OutputStream
  env: Readonly<Record<string, string | undefined>>
  /** Absent, or not a terminal: nothing is asked, and a command needing a confirmation wants --yes. */
  stdin?: InputStream
}>

/** Documented in docs/operations.md ("Admin CLI"); scripts branch on these. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  paused: 5,
  unavailable: 6,
  pending: 7,
  declined: 8,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure with its exit code and one line for stderr (never a value from the database). */
export class AdminError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message)
  }
}

export type Output = Readonly<{
  json: boolean
  /** Prints `text` (human) or `data` (--json). */
  result: (text: string, data: unknown) => void
  progress: (line: string) => void
  progressDone: () => void
}>

export const createOutput = (io: AdminIo, json: boolean): Output => {
  const live = !json && io.stderr.isTTY === true
  let drawn = false
  return {
    json,
    result: (text, data) => void io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`),
    progress: (line) => {
      if (!live) return
      io.stderr.write(`\r${line}\x1b[K`)
      drawn = true
    },
    progressDone: () => {
      if (drawn) io.stderr.write('\n')
      drawn = false
    },
  }
}

/** "used 1.5 GiB of 10.0 GiB" style sizes. */
export const formatBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`
}
