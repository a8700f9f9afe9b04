/**
 * Second factors (issue #18): per account, TOTP factors (the secret sealed under a server key, the last time step
 * accepted so no code is taken twice) and one-time recovery codes (keyed digests, spent once). Both are
 * account-owned and isolated by row-level security like every other table; nothing reads them across accounts.
 * Expand only: two new tables the previous release never reads.
 */
import type { Knex } from 'knex'

const tables = ['second_factors', 'recovery_codes']

const schema = `
  set local lock_timeout = '5s';
  create table zkeb.second_factors (
    account_id uuid not null references zkeb.accounts on delete cascade,
    factor_id uuid not null,
    kind text not null check (kind in ('totp')),
    sealed_secret bytea not null check (octet_length(sealed_secret) <= 256),
    last_step bigint check (last_step >= 0),
    created_at timestamptz not null,
    confirmed_at timestamptz,
    primary key (account_id, factor_id)
  );

  create table zkeb.recovery_codes (
    account_id uuid not null references zkeb.accounts on delete cascade,
    digest text not null check (digest ~ '^[0-9a-f]{64}$'),
    used_at timestamptz,
    primary key (account_id, digest)
  );

  grant select, insert, update, delete on zkeb.second_factors, zkeb.recovery_codes to zkeb_app;
`

const isolate = (table: string): string => `
  alter table zkeb.${table} enable row level security;
  alter table zkeb.${table} force row level security;
  create policy ${table}_of_current_account on zkeb.${table}
    using (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid)
    with check (account_id = nullif(current_setting('zkeb.account_id', true), '')::uuid);
`

export const up = async (knex: Knex): Promise<void> => {
  await knex.raw(schema + tables.map(isolate).join(''))
}

export const down = async (knex: Knex): Promise<void> => {
  await knex.raw(
    `set local lock_timeout = '5s'; drop table zkeb.recovery_codes; drop table zkeb.second_factors;`,
  )
}
