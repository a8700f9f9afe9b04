/**
 * restic tokens learn two things: the repository a token is scoped to (`repo`, NULL for a token that opens
 * every repository of its account) and the login session that created it (`session_id`, NULL for tokens made
 * before: a password change keeps only the tokens of the session that makes it, so those go then).
 * No foreign key to sessions: sessions may live outside PostgreSQL (STORE=memory) and end long before the token.
 *
 * Basic auth presents a token before its account is known, so the grant comes from a SECURITY DEFINER function,
 * which must now say the repository. A function cannot change the columns it returns, and the previous release
 * still calls `find_restic_grant`, so `restic_grant` is added beside it (returning the grant and nothing more);
 * a later contract migration may drop the old one.
 *
 * Expand only: nullable columns (no rewrite), the name check added NOT VALID and validated in its own
 * transaction (every existing row is NULL), and a new function.
 */
import type { Knex } from 'knex'

export const config = { transaction: false }

const columns = `
  set local lock_timeout = '5s';
  alter table zkeb.restic_tokens add column if not exists repo text;
  alter table zkeb.restic_tokens add column if not exists session_id uuid;
  alter table zkeb.restic_tokens add constraint restic_tokens_repo_name check (
    repo is null or (
      repo ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
      and repo not in ('config', 'data', 'keys', 'locks', 'snapshots', 'index')
    )
  ) not valid;
`

const validate = `
  set local lock_timeout = '5s';
  alter table zkeb.restic_tokens validate constraint restic_tokens_repo_name;
`

const grantLookup = `
  set local lock_timeout = '5s';
  create function zkeb.restic_grant(p_username text, p_secret_sha256 text)
    returns table (token_id uuid, account_id uuid, device_id uuid, append_only boolean, repo text)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
      select t.token_id, t.account_id, t.device_id, t.append_only, t.repo
      from zkeb.restic_tokens t
      join zkeb.accounts a on a.account_id = t.account_id
      left join zkeb.devices d on d.device_id = t.device_id
      where t.secret_sha256 = p_secret_sha256
        and lower(a.username) = lower(p_username)
        and (t.device_id is null or d.revoked_at is null)
    $$;

  revoke all on function zkeb.restic_grant(text, text) from public;
  grant execute on function zkeb.restic_grant(text, text) to zkeb_app;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.transaction((trx) => trx.raw(columns))
  await knex.transaction((trx) => trx.raw(validate))
  await knex.transaction((trx) => trx.raw(grantLookup))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.transaction((trx) =>
    trx.raw(`
      set local lock_timeout = '5s';
      drop function zkeb.restic_grant(text, text);
      alter table zkeb.restic_tokens drop column session_id;
      alter table zkeb.restic_tokens drop column repo;
    `),
  )
}
