/** One option a command declares: what the parser accepts and what help prints. */
export type OptionSpec = Readonly<{
  /** The key the parsed value is kept under (Parsed.values, .booleans or .lists). */
  name: string
  long: `--${string}`
  short?: `-${string}`
  /** The value's placeholder in help (`--output PATH`); a flag without one is boolean. */
  value?: string
  /** Given more than once, every value is kept in order (Parsed.lists); otherwise the last one wins. */
  repeatable?: boolean
  description: string
}>
