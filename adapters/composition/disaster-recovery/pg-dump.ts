/**
 * Knows the external PostgreSQL's copy: `pg_dump` of the server's own major version (custom format: one
 * consistent snapshot, read-only, the server keeps serving), restored by `pg_restore` into an empty database
 * in one transaction. A pg_dump of another major is refused before it runs: older ones refuse newer servers,
 * and a newer one writes archives an older pg_restore cannot read. PG_BIN names the folder of the right
 * binaries (Debian: /usr/lib/postgresql/<major>/bin).
 * SECURITY: the password goes to the child through PGPASSWORD, never on its command line.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { AdminError, ExitCode } from '../../admin-cli/output'

type Env = Readonly<Record<string, string | undefined>>

export type ServerVersion = Readonly<{ text: string; major: number }>

export const withClient = async <A>(url: string, work: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url, application_name: 'zkeb-admin backup' })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export const serverVersion = async (client: pg.Client): Promise<ServerVersion> => {
  const { rows } = await client.query<{ text: string; num: string }>(
    "select current_setting('server_version') as text, current_setting('server_version_num') as num",
  )
  return { text: rows[0]!.text, major: Math.floor(Number(rows[0]!.num) / 10_000) }
}

const tool = (name: string, env: Env): string =>
  env['PG_BIN'] === undefined || env['PG_BIN'] === '' ? name : path.join(env['PG_BIN'], name)

const run = (file: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, [...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

/** The major version of a PostgreSQL client program, or null when it does not run. */
const toolMajor = async (file: string): Promise<number | null> => {
  const { code, stdout } = await run(file, ['--version'], process.env)
  const major = /\(PostgreSQL\) (\d+)/.exec(stdout)?.[1]
  return code === 0 && major !== undefined ? Number(major) : null
}

const install = (name: string, major: number) =>
  `install ${name} ${major} (Debian: postgresql-client-${major}) and set PG_BIN to its folder ` +
  `(e.g. /usr/lib/postgresql/${major}/bin)`

/** The program `name` of major version `wanted` (exactly, or at least with `orNewer`), or a clear refusal. */
const checkedTool = async (name: string, env: Env, wanted: number, orNewer: boolean): Promise<string> => {
  const file = tool(name, env)
  const major = await toolMajor(file)
  if (major === null)
    throw new AdminError(ExitCode.unavailable, `${file} does not run: ${install(name, wanted)}`)
  if (major === wanted || (orNewer && major > wanted)) return file
  throw new AdminError(
    ExitCode.conflict,
    `${file} is version ${major}, the database needs ${wanted}${orNewer ? ' or newer' : ''}: ${install(name, wanted)}`,
  )
}

/** The URL without its password, and the environment that passes it. */
const credentials = (url: string, env: Env): { url: string; env: NodeJS.ProcessEnv } => {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password)
  parsed.password = ''
  return {
    url: parsed.toString(),
    env: { ...process.env, ...env, ...(password === '' ? {} : { PGPASSWORD: password }) },
  }
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? ''

/** Dumps the database at `url` into `file`; resolves with pg_dump's major version. */
export const dumpDatabase = async (
  url: string,
  file: string,
  env: Env,
  server: ServerVersion,
): Promise<number> => {
  const pgDump = await checkedTool('pg_dump', env, server.major, false)
  const c = credentials(url, env)
  const args = ['--format=custom', '--no-password', `--file=${file}`, `--dbname=${c.url}`]
  const done = await run(pgDump, args, c.env)
  if (done.code !== 0) throw new AdminError(ExitCode.unavailable, `pg_dump failed: ${firstLine(done.stderr)}`)
  return server.major
}

export type DumpFacts = Readonly<{ pgDumpMajor: number; postgresMajor: number; owner: string }>

/** The target must be as new as the source, and reached as the role that owned the schema or a superuser. */
const checkTarget = async (client: pg.Client, facts: DumpFacts): Promise<void> => {
  const target = await serverVersion(client)
  if (target.major < facts.postgresMajor)
    throw new AdminError(
      ExitCode.conflict,
      `the backup is of PostgreSQL ${facts.postgresMajor}; the target runs ${target.major}, which is older`,
    )
  const { rows } = await client.query<{ me: string; superuser: boolean; owner_exists: boolean }>(
    `select current_user as me, (select rolsuper from pg_roles where rolname = current_user) as superuser,
            exists (select 1 from pg_roles where rolname = $1) as owner_exists`,
    [facts.owner],
  )
  const me = rows[0]!
  if (!me.owner_exists || (me.me !== facts.owner && !me.superuser))
    throw new AdminError(
      ExitCode.conflict,
      `the schema belonged to the role ${facts.owner}: restore as that role (or a superuser, with the role created first)`,
    )
}

/** Roles are not in a database's dump: the grants to the application role need it to exist. */
const ensureAppRoleExists = (client: pg.Client) =>
  client.query(`do $$ begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'zkeb_app') then
      create role zkeb_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    end if;
  exception when duplicate_object or unique_violation then null; end $$`)

/** Restores `file` into the empty database at `url`, all or nothing. */
export const restoreDump = async (url: string, file: string, env: Env, facts: DumpFacts): Promise<void> => {
  const pgRestore = await checkedTool('pg_restore', env, facts.pgDumpMajor, true)
  await withClient(url, async (client) => {
    await checkTarget(client, facts)
    await ensureAppRoleExists(client)
  })
  const c = credentials(url, env)
  const args = ['--exit-on-error', '--single-transaction', '--no-password', `--dbname=${c.url}`, file]
  const done = await run(pgRestore, args, c.env)
  if (done.code !== 0)
    throw new AdminError(ExitCode.unavailable, `pg_restore failed: ${firstLine(done.stderr)}`)
}
