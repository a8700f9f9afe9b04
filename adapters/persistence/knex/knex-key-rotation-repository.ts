/**
 * Knows how to keep staged key rotations in PostgreSQL (zkeb.key_rotations and zkeb.key_rotation_keys, row-level
 * security per account). The commit's swap is one UPDATE … FROM the staged keys: the keys never pass through
 * the server's memory, so a rotation of any size costs the same memory.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { KeyRotationRepository } from '../../../application/ports/key-rotation-repository'
import { WrappedUmk } from '../../../domain/account'
import { WrappedKey } from '../../../domain/backup'
import { AccountId, BackupId } from '../../../domain/ids'
import { KeyRotationId, type StagedRotation } from '../../../domain/key-rotation'
import type { AccountAccess } from './account-access'
import { Bytea, bytes, decodeAll, decodeFirst, decodeWith, PgDate } from './row-codecs'

const decodeRotation = decodeWith(
  t.type({
    account_id: AccountId,
    rotation_id: KeyRotationId,
    expected_version: t.Int,
    password_wrapped_umk: Bytea(WrappedUmk),
    recovery_wrapped_umk: Bytea(WrappedUmk),
    created_at: PgDate,
    expires_at: PgDate,
  }),
  (r): StagedRotation => ({
    accountId: r.account_id,
    rotationId: r.rotation_id,
    expectedVersion: r.expected_version,
    keyBundle: { passwordWrappedUmk: r.password_wrapped_umk, recoveryWrappedUmk: r.recovery_wrapped_umk },
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  }),
)

const decodePending = decodeWith(t.type({ backup_id: BackupId, wrapped_key: Bytea(WrappedKey) }), (r) => ({
  backupId: r.backup_id,
  wrappedKey: r.wrapped_key,
}))

/** Backups without a staged key, in primary-key order: an anti-join walked from `after` on both primary keys. */
const pendingSql = `
  select b.backup_id, b.wrapped_key from zkeb.backups b
  where b.account_id = ? and b.backup_id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
    and not exists (select 1 from zkeb.key_rotation_keys k
                    where k.account_id = b.account_id and k.backup_id = b.backup_id)
  order by b.backup_id limit ?`

const countsSql = `
  select (select count(*) from zkeb.backups where account_id = ?)::int as backups,
         (select count(*) from zkeb.key_rotation_keys k join zkeb.backups b using (account_id, backup_id)
          where k.account_id = ?)::int as staged`

const applySql = `
  update zkeb.backups b set wrapped_key = k.wrapped_key, key_version = ?
  from zkeb.key_rotation_keys k
  where b.account_id = ? and k.account_id = b.account_id and k.backup_id = b.backup_id`

/** Over either way of reaching PostgreSQL (account-access.ts); the UnitOfWork hands it out. */
export const keyRotationsIn = (access: AccountAccess): KeyRotationRepository => ({
  find: (accountId) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.key_rotations').where({ account_id: accountId }).select('*')),
      TE.flatMapEither(decodeFirst(decodeRotation)),
    ),
  begin: (r) =>
    pipe(
      access.run(r.accountId, async (trx) => {
        await trx('zkeb.key_rotations').where({ account_id: r.accountId }).delete()
        await trx('zkeb.key_rotations').insert({
          account_id: r.accountId,
          rotation_id: r.rotationId,
          expected_version: r.expectedVersion,
          password_wrapped_umk: bytes(r.keyBundle.passwordWrappedUmk),
          recovery_wrapped_umk: bytes(r.keyBundle.recoveryWrappedUmk),
          created_at: r.createdAt,
          expires_at: r.expiresAt,
        })
      }),
      TE.asUnit,
    ),
  setExpiresAt: (accountId, expiresAt) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.key_rotations').where({ account_id: accountId }).update({ expires_at: expiresAt }),
      ),
      TE.asUnit,
    ),
  stage: (accountId, keys) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw(
          `insert into zkeb.key_rotation_keys (account_id, backup_id, wrapped_key)
           select ?, v.backup_id, v.wrapped_key from unnest(?::uuid[], ?::bytea[]) as v(backup_id, wrapped_key)
           on conflict (account_id, backup_id) do update set wrapped_key = excluded.wrapped_key`,
          [accountId, keys.map((k) => k.backupId), keys.map((k) => bytes(k.wrappedKey))],
        ),
      ),
      TE.asUnit,
    ),
  pending: (accountId, after, limit) =>
    pipe(
      access.read(accountId, pendingSql, [accountId, O.toNullable(after), limit]),
      TE.flatMapEither(decodeAll(decodePending)),
    ),
  counts: (accountId) =>
    pipe(
      access.read(accountId, countsSql, [accountId, accountId]),
      TE.map((rows) => {
        const row = rows[0] as { backups: number; staged: number }
        return { backups: row.backups, staged: row.staged }
      }),
    ),
  apply: (accountId, keyVersion) =>
    pipe(
      access.run(accountId, async (trx) => {
        await trx.raw(applySql, [keyVersion, accountId])
        await trx('zkeb.key_rotations').where({ account_id: accountId }).delete()
      }),
      TE.asUnit,
    ),
  remove: (accountId) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.key_rotations').where({ account_id: accountId }).delete()),
      TE.asUnit,
    ),
})
