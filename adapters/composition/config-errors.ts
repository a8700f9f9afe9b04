/**
 * What a refused configuration reports: one problem per variable, naming it and what it should be.
 * SECURITY: never the value (it may be a secret).
 */
import type * as t from 'io-ts'

export type ConfigError = Readonly<{ variable: string; problem: string }>

export const formatConfigErrors = (errors: ReadonlyArray<ConfigError>): string =>
  `Invalid configuration: ${errors.map((e) => `${e.variable} ${e.problem}`).join('; ')}`

/** io-ts's failures as one problem per variable: the codec's name says what it should be. */
export const toConfigErrors = (errors: t.Errors): ReadonlyArray<ConfigError> => {
  const seen = new Map<string, string>()
  for (const error of errors) {
    const variable = error.context[1]?.key ?? '(environment)'
    const expected = error.context[error.context.length - 1]?.type.name ?? 'something else'
    seen.set(variable, `must be ${expected}`)
  }
  return [...seen].map(([variable, problem]) => ({ variable, problem }))
}
