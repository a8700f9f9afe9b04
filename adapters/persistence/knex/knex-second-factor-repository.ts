/**
 * Knows how to keep second factors in PostgreSQL (tables zkeb.second_factors and zkeb.recovery_codes, row-level
 * security). Reached inside a UnitOfWork only.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { SecondFactorRepository } from '../../../application/ports/second-factor-repository'
import { AccountId } from '../../../domain/ids'
import { FactorId, FactorKind, type SecondFactor } from '../../../domain/second-factor'
import type { AccountAccess } from './account-access'
import { decodeAll, decodeWith, PgDate } from './row-codecs'

const SealedBytes = new t.Type<Uint8Array, Buffer, unknown>(
  'SealedBytes',
  (u): u is Uint8Array => u instanceof Uint8Array,
  (u, c) => (Buffer.isBuffer(u) ? t.success(new Uint8Array(u)) : t.failure(u, c)),
  (b) => Buffer.from(b),
)

const decodeFactor = decodeWith(
  t.type({
    account_id: AccountId,
    factor_id: FactorId,
    kind: FactorKind,
    sealed_secret: SealedBytes,
    last_step: t.union([t.number, t.null]),
    created_at: PgDate,
    confirmed_at: t.union([PgDate, t.null]),
  }),
  (r): SecondFactor => ({
    accountId: r.account_id,
    factorId: r.factor_id,
    kind: r.kind,
    sealedSecret: r.sealed_secret,
    lastStep: r.last_step,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
  }),
)

export const secondFactorsIn = (access: AccountAccess): SecondFactorRepository => ({
  list: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.second_factors')
          .where({ account_id: accountId })
          .orderBy(['created_at', 'factor_id'])
          .select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeFactor)),
    ),
  add: (f) =>
    pipe(
      access.run(f.accountId, (trx) =>
        trx('zkeb.second_factors').insert({
          account_id: f.accountId,
          factor_id: f.factorId,
          kind: f.kind,
          sealed_secret: Buffer.from(f.sealedSecret),
          last_step: f.lastStep,
          created_at: f.createdAt,
          confirmed_at: f.confirmedAt,
        }),
      ),
      TE.asUnit,
    ),
  // One statement: a concurrent use of the same code finds the step already taken and changes nothing.
  acceptStep: (accountId, factorId, step, at) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.second_factors')
          .where({ account_id: accountId, factor_id: factorId })
          .andWhere((q) => void q.whereNull('last_step').orWhere('last_step', '<', step))
          .update({ last_step: step, confirmed_at: trx.raw('coalesce(confirmed_at, ?)', [at]) }),
      ),
      TE.map((updated) => updated > 0),
    ),
  remove: (accountId, factorId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.second_factors').where({ account_id: accountId, factor_id: factorId }).delete(),
      ),
      TE.map((deleted) => deleted > 0),
    ),
  replaceRecoveryCodes: (accountId, digests) =>
    access.run(accountId, async (trx) => {
      await trx('zkeb.recovery_codes').where({ account_id: accountId }).delete()
      if (digests.length > 0)
        await trx('zkeb.recovery_codes').insert(
          digests.map((digest) => ({ account_id: accountId, digest, used_at: null })),
        )
    }),
  spendRecoveryCode: (accountId, digest, at) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.recovery_codes')
          .where({ account_id: accountId, digest })
          .whereNull('used_at')
          .update({ used_at: at }),
      ),
      TE.map((updated) => updated > 0),
    ),
  recoveryCodesLeft: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.recovery_codes')
          .where({ account_id: accountId })
          .whereNull('used_at')
          .count<Array<{ count: number | string }>>({ count: '*' }),
      ),
      TE.map((rows) => Number(rows[0]?.count ?? 0)),
    ),
})
