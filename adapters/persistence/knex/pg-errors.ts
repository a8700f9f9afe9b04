/** Knows which PostgreSQL failures mean something to the domain; everything else stays Unavailable. */
import type { Unavailable } from '../../../application/errors'

type PgError = { readonly code?: unknown; readonly constraint?: unknown }

const isPgError = (cause: unknown): cause is PgError => typeof cause === 'object' && cause !== null

/** A unique violation (23505) of the named constraint or unique index. */
export const isUniqueViolation =
  (constraint: string) =>
  (failure: Unavailable): boolean =>
    isPgError(failure.cause) && failure.cause.code === '23505' && failure.cause.constraint === constraint
