/**
 * The scrubbing every Sentry event goes through before it is sent (beforeSend): the same rule as the logs.
 * Kept: the exception's type and stack frames (file, function, line), the release, the route template and
 * request id we tag it with. Removed: request data (URL, query, headers, cookies, body), the user, extra data,
 * breadcrumbs' messages and data, local variables, and exception messages (they can quote input, as
 * JSON.parse's do). Whatever else remains goes through the shared secret-field censor.
 */
import type { Breadcrumb, ErrorEvent, Exception } from '@sentry/node'
import { censor, censorSecrets } from './redaction'

/** Contexts that describe the machine, never the request. */
const safeContexts = new Set(['runtime', 'os', 'app', 'device', 'culture', 'cloud_resource', 'trace'])

const scrubException = (exception: Exception): Exception => ({
  ...(exception.type === undefined ? {} : { type: exception.type }),
  ...(exception.value === undefined ? {} : { value: censor }),
  ...(exception.mechanism === undefined ? {} : { mechanism: exception.mechanism }),
  ...(exception.stacktrace === undefined
    ? {}
    : {
        stacktrace: {
          ...exception.stacktrace,
          frames: exception.stacktrace.frames?.map(({ vars: _vars, ...frame }) => frame),
        },
      }),
})

/** Only what a breadcrumb is (its category and time), never what it carried. */
export const scrubBreadcrumb = (crumb: Breadcrumb): Breadcrumb => ({
  ...(crumb.type === undefined ? {} : { type: crumb.type }),
  ...(crumb.category === undefined ? {} : { category: crumb.category }),
  ...(crumb.level === undefined ? {} : { level: crumb.level }),
  ...(crumb.timestamp === undefined ? {} : { timestamp: crumb.timestamp }),
})

export const scrubEvent = (event: ErrorEvent): ErrorEvent => {
  const { request: _request, user: _user, extra: _extra, logentry: _logentry, ...rest } = event
  const contexts = Object.fromEntries(
    Object.entries(event.contexts ?? {}).filter(([name]) => safeContexts.has(name)),
  )
  const scrubbed: ErrorEvent = {
    ...rest,
    contexts,
    ...(event.message === undefined ? {} : { message: censor }),
    ...(event.exception === undefined
      ? {}
      : { exception: { ...event.exception, values: event.exception.values?.map(scrubException) } }),
    ...(event.breadcrumbs === undefined ? {} : { breadcrumbs: event.breadcrumbs.map(scrubBreadcrumb) }),
  }
  return censorSecrets(scrubbed) as ErrorEvent
}
