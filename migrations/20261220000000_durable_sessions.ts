/**
 * Login sessions and their refresh-token families, durable in PostgreSQL (Redis only caches live sessions in
 * front of them, adapters/cache/redis/cached-session-store.ts), so losing or flushing Redis ends no session.
 * Only SHA-256 digests of refresh tokens are stored (hex, as restic token secrets are), never a token.
 *
 * SECURITY: both tables are account-owned and isolated by row-level security like every other table; the
 * application role creates sessions and revokes by account or device inside its account's transaction. Three
 * operations arrive before the account is known: the per-request check (a session id from a signed access
 * token), a logout by session id, and a refresh (only a refresh token). Each is a narrow SECURITY DEFINER
 * function acting on the one session or digest it is given, and nothing else: `zkeb_app` still cannot list,
 * read or change another account's sessions. A policy keyed on a "presented digest" setting was the
 * alternative, but a rotation also needs the session row and the next digest's insert, so it would take
 * several round trips and a lock protocol in the adapter; the function does it in one, atomically.
 *
 * Rotation locks the session row first, then the presented digest (the order an ON DELETE CASCADE from a
 * revocation takes), so of two concurrent rotations of one digest the second waits, then sees the digest
 * already exchanged: a reuse, which deletes the whole family.
 *
 * No foreign key to accounts: every login and refresh would take a lock on the account row, and removing an
 * account already revokes its sessions through SessionStore.revokeAccount (delete-account use case).
 */
import type { Knex } from 'knex'

const tables = ['sessions', 'refresh_digests']

const schema = `
  set local lock_timeout = '5s';
  create table zkeb.sessions (
    session_id uuid primary key,
    account_id uuid not null,
    device_id uuid,
    created_at timestamptz not null,
    expires_at timestamptz not null
  );
  create index sessions_by_account on zkeb.sessions (account_id, expires_at);

  create table zkeb.refresh_digests (
    digest text primary key check (digest ~ '^[0-9a-f]{64}$'),
    session_id uuid not null references zkeb.sessions on delete cascade,
    account_id uuid not null,
    exchanged boolean not null default false
  );
  create index refresh_digests_by_session on zkeb.refresh_digests (session_id);

  grant select, insert, delete on zkeb.sessions to zkeb_app;
  grant insert on zkeb.refresh_digests to zkeb_app;
`

/** zkeb_app sees and writes only its account's rows; the owner, as whom the functions below run, every row. */
const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
  create policy ${table}_definer_access on zkeb.${table} to current_user using (true) with check (true);
`

const definerFunctions = `
  create function zkeb.find_live_session(p_session_id uuid, p_now timestamptz) returns setof zkeb.sessions
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$ select * from zkeb.sessions where session_id = p_session_id and expires_at > p_now $$;

  create function zkeb.revoke_session(p_session_id uuid) returns void
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ delete from zkeb.sessions where session_id = p_session_id $$;

  -- outcome: 'rotated' (the session is returned), 'reused' (the family was deleted) or 'invalid'.
  create function zkeb.rotate_refresh_digest(p_presented text, p_next text, p_now timestamptz)
    returns table (
      outcome text, session_id uuid, account_id uuid, device_id uuid,
      created_at timestamptz, expires_at timestamptz
    )
    language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
    declare
      v_session_id uuid;
      v_exchanged boolean;
      s zkeb.sessions;
    begin
      select d.session_id into v_session_id from zkeb.refresh_digests d where d.digest = p_presented;
      if not found then
        return query select 'invalid', null::uuid, null::uuid, null::uuid, null::timestamptz, null::timestamptz;
        return;
      end if;
      select * into s from zkeb.sessions x where x.session_id = v_session_id for update;
      select d.exchanged into v_exchanged from zkeb.refresh_digests d where d.digest = p_presented for update;
      if s.session_id is null or v_exchanged is null or s.expires_at <= p_now then
        return query select 'invalid', null::uuid, null::uuid, null::uuid, null::timestamptz, null::timestamptz;
        return;
      end if;
      if v_exchanged then
        delete from zkeb.sessions x where x.session_id = s.session_id;
        return query select 'reused', s.session_id, s.account_id, s.device_id, s.created_at, s.expires_at;
        return;
      end if;
      update zkeb.refresh_digests d set exchanged = true where d.digest = p_presented;
      insert into zkeb.refresh_digests (digest, session_id, account_id) values (p_next, s.session_id, s.account_id);
      return query select 'rotated', s.session_id, s.account_id, s.device_id, s.created_at, s.expires_at;
    end
    $$;

  revoke all on function zkeb.find_live_session(uuid, timestamptz) from public;
  revoke all on function zkeb.revoke_session(uuid) from public;
  revoke all on function zkeb.rotate_refresh_digest(text, text, timestamptz) from public;
  grant execute on function zkeb.find_live_session(uuid, timestamptz) to zkeb_app;
  grant execute on function zkeb.revoke_session(uuid) to zkeb_app;
  grant execute on function zkeb.rotate_refresh_digest(text, text, timestamptz) to zkeb_app;
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(schema)
  for (const table of tables) await knex.raw(isolate(table))
  await knex.raw(definerFunctions)
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(`
    drop function zkeb.rotate_refresh_digest(text, text, timestamptz);
    drop function zkeb.revoke_session(uuid);
    drop function zkeb.find_live_session(uuid, timestamptz);
    drop table zkeb.refresh_digests;
    drop table zkeb.sessions;
  `)
}
