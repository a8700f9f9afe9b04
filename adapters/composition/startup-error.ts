/**
 * A problem the operator can fix (configuration, a busy DATA_DIR, permissions): entry points print its
 * message as one line and exit 1, with no stack trace.
 * SECURITY: messages name variables, paths and ports, never secret values.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError'
}
