import * as t from 'io-ts'
import { Uuid } from './ids'

/** A staged key rotation's id: random, chosen by the server. */
export type KeyRotationIdBrand = { readonly KeyRotationId: unique symbol }
export const KeyRotationId = t.brand(
  Uuid,
  (_s): _s is t.Branded<Uuid, KeyRotationIdBrand> => true,
  'KeyRotationId',
)
export type KeyRotationId = t.TypeOf<typeof KeyRotationId>
