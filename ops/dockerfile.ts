/**
 * A small Dockerfile parser: instructions with their line numbers, line continuations joined, comments and
 * parser directives dropped, exec-form (JSON array) arguments recognised. Shared by the lint test and by
 * ops/image-stages.ts, which replays the stages without a Docker engine.
 */

export type Instruction = {
  /** Upper-cased keyword: FROM, RUN, COPY, … */
  readonly keyword: string
  /** Everything after the keyword, continuations joined with a space. */
  readonly args: string
  /** 1-based line where the instruction starts. */
  readonly line: number
}

export type Stage = {
  readonly name: string | null
  readonly from: string
  readonly instructions: readonly Instruction[]
}

/** Splits a Dockerfile into instructions (the default escape character `\`; no heredocs). */
export const parseDockerfile = (text: string): Instruction[] => {
  const instructions: Instruction[] = []
  let pending: { parts: string[]; line: number } | null = null
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim()
    // Comments (and parser directives, which look like comments) and blank lines may sit inside a
    // continued instruction; Docker skips them there too.
    if (trimmed.startsWith('#') || trimmed === '') return
    const continues = trimmed.endsWith('\\')
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed
    pending = pending ?? { parts: [], line: index + 1 }
    if (part !== '') pending.parts.push(part)
    if (continues) return
    const joined = pending.parts.join(' ')
    const match = /^(\S+)\s*(.*)$/.exec(joined)
    if (match !== null) {
      instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: pending.line })
    }
    pending = null
  })
  if (pending !== null) throw new Error('Dockerfile ends inside a line continuation')
  return instructions
}

/** The JSON-array (exec form) arguments of CMD/ENTRYPOINT/RUN/HEALTHCHECK CMD, or null for shell form. */
export const execForm = (args: string): string[] | null => {
  if (!args.trim().startsWith('[')) return null
  try {
    const parsed: unknown = JSON.parse(args)
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null
  } catch {
    return null
  }
}

/** Leading `--name=value` flags of COPY, ADD, HEALTHCHECK, …, and what follows them. */
export const splitFlags = (args: string): { flags: Record<string, string>; rest: string } => {
  const flags: Record<string, string> = {}
  let rest = args.trim()
  for (
    let match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    match;
    match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[match[1]!] = match[2] ?? ''
    rest = rest.slice(match[0].length)
  }
  return { flags, rest }
}

/** `ENV a=1 b=2` (and the legacy `ENV a 1`) as key/value pairs; values may be double-quoted. */
export const envPairs = (args: string): [string, string][] => {
  const legacy = /^([A-Za-z_][\w]*)\s+([^=]*)$/.exec(args.trim())
  if (legacy !== null) return [[legacy[1]!, legacy[2]!]]
  return [...args.matchAll(/([A-Za-z_][\w]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map(([, key, value]) => [
    key!,
    value!.startsWith('"') ? (JSON.parse(value!) as string) : value!,
  ])
}

/** Groups instructions by FROM; ARGs before the first FROM are dropped (none are used here). */
export const stagesOf = (instructions: readonly Instruction[]): Stage[] => {
  const stages: { name: string | null; from: string; instructions: Instruction[] }[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const { rest } = splitFlags(instruction.args)
      const [from, as, name] = rest.split(/\s+/)
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name! : null, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}
