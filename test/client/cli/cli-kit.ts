/**
 * Drives the real `zkeb` main in-process: fake stdout/stderr (TTY or not), an environment with its own config
 * folder, queued answers for no-echo prompts, and cheap OPAQUE stretching.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../../client/cli/main'
import type { CliOptions } from '../../../client/cli/context'
import type { FetchLike } from '../../../client/sdk'
import { testKeyStretching } from '../sdk/sdk-kit'

export type CliRun = Readonly<{ code: number; stdout: string; stderr: string }>

export type CliUser = Readonly<{
  configDir: string
  env: Record<string, string>
  run: (argv: ReadonlyArray<string>, extra?: RunExtra) => Promise<CliRun>
}>

export type RunExtra = Readonly<{
  env?: Record<string, string>
  secrets?: ReadonlyArray<string>
  tty?: boolean
  fetch?: FetchLike
  /** The CLI's local clock (ms since the epoch), to age its kept access token. */
  now?: () => number
  /** Answers the prompts instead of `secrets` (an answer computed when asked, e.g. a TOTP code). */
  readSecret?: (prompt: string) => Promise<string | undefined>
}>

export const aTempDir = (prefix = 'zkeb-cli-'): string => mkdtempSync(join(tmpdir(), prefix))

/** A CLI user with its own config folder, talking to `base` (through ZKEB_SERVER unless `serverInEnv` is false). */
export const aCliUser = (base: string, { serverInEnv = true } = {}): CliUser => {
  const configDir = aTempDir('zkeb-config-')
  const env: Record<string, string> = {
    ZKEB_CONFIG_DIR: configDir,
    ...(serverInEnv ? { ZKEB_SERVER: base } : {}),
  }
  const run = async (argv: ReadonlyArray<string>, extra: RunExtra = {}): Promise<CliRun> => {
    let stdout = ''
    let stderr = ''
    const secrets = [...(extra.secrets ?? [])]
    const options: CliOptions = {
      keyStretching: testKeyStretching,
      retry: { maxDelayMs: 20 },
      ...(extra.fetch === undefined ? {} : { fetch: extra.fetch }),
      ...(extra.now === undefined ? {} : { now: extra.now }),
    }
    const code = await main(
      argv,
      {
        stdout: { write: (s: string) => (stdout += s), isTTY: extra.tty ?? false },
        stderr: { write: (s: string) => (stderr += s), isTTY: extra.tty ?? false, columns: 200 },
        env: { ...env, ...extra.env },
        readSecret: extra.readSecret ?? (() => Promise.resolve(secrets.shift())),
      },
      options,
    )
    return { code, stdout, stderr }
  }
  return { configDir, env, run }
}

/** A fetch that passes everything through but lets `rewrite` replace the answer to matching requests. */
export const interceptingFetch =
  (rewrite: (url: string, init: RequestInit, res: Response) => Promise<Response> | Response): FetchLike =>
  async (url, init) =>
    rewrite(url, init, await fetch(url, init))

/** A copy of `res` whose body is `body` (same status and headers). */
export const withBody = (res: Response, body: Uint8Array | string): Response => {
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  return new Response(body, { status: res.status, headers })
}
