/** What every measurement section of the bench run gets: the knobs, the services, the server under test. */
import type { BareKoa, DiskCeiling } from './ceilings'
import type { Knobs } from './scenarios'
import type { ServerInstance, ServerOptions } from './server'
import type { Postgres } from './services'
import type { Prepared } from './setup'

export type Context = Readonly<{
  knobs: Knobs & { poolMax: number; only: ReadonlySet<string>; quick: boolean }
  pg: Postgres
  server: ServerInstance
  serverOptions: ServerOptions
  prepared: Prepared
  koa: BareKoa
  disk: Readonly<{ small: DiskCeiling; mib: DiskCeiling; large: DiskCeiling }>
  cleanups: Array<() => Promise<void> | void>
}>
