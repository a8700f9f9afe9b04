/**
 * Knows how to check, before serving, that the application's connection is confined by row-level security.
 * SECURITY: a DATABASE_APP_URL naming the schema owner, a superuser, a BYPASSRLS role or a member of one
 * (membership allows SET ROLE, with or without INHERIT) would let one injected query read every account.
 * Such a start is refused; the message names the problem, never the URL or its credentials.
 */
import type { Knex } from 'knex'
import { StartupError } from './startup-error'

type RoleFacts = Readonly<{ role: string; escalates: boolean; owns: boolean }>

const factsQuery = `
  select current_user as role,
    exists (
      select from pg_catalog.pg_roles r
      where (r.rolsuper or r.rolbypassrls) and pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')
    ) as escalates,
    exists (
      select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'zkeb' and pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER')
    ) as owns
`

/** Resolves when the pool's role owns nothing in schema zkeb and cannot bypass row-level security. */
export const checkAppRole = async (appKnex: Knex): Promise<void> => {
  const { rows } = await appKnex.raw<{ rows: RoleFacts[] }>(factsQuery)
  const facts = rows[0]
  if (facts === undefined) throw new StartupError('could not inspect the application database role')
  if (facts.escalates)
    throw new StartupError(
      `the application database role ${facts.role} is, or may become, a superuser or a BYPASSRLS role: ` +
        'set DATABASE_APP_URL to a role without either (or leave it unset to use zkeb_app)',
    )
  if (facts.owns)
    throw new StartupError(
      `the application database role ${facts.role} owns (or may act as the owner of) the zkeb schema's tables: ` +
        'set DATABASE_APP_URL to a role that owns nothing (or leave it unset to use zkeb_app)',
    )
}
