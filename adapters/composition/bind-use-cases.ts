/**
 * Gathers the bound adapters into the application's Ports, field by field, and wires every use case from them;
 * binds the in-process Background, the same whatever the persistence.
 */
import type { Container } from 'inversify'
import { makeUseCases } from '../../application/zkeb'
import { inProcessBackground } from '../in-memory/in-process-background'
import { id, PORT_TOKENS, resolveRecord, TOKENS } from './tokens'

export const bindUseCases = (c: Container): void => {
  c.bind(id(TOKENS.ReadinessProbes)).toResolvedValue(
    (persistence, stores) => [...persistence, ...stores],
    [id(TOKENS.PersistenceProbes), id(TOKENS.StoreProbes)],
  )
  c.bind(id(TOKENS.Background)).toConstantValue(inProcessBackground())
  c.bind(id(TOKENS.Ports)).toDynamicValue((context) => resolveRecord(context, PORT_TOKENS))
  c.bind(id(TOKENS.UseCases)).toResolvedValue(makeUseCases, [id(TOKENS.Ports)])
}
