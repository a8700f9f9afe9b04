/** Log in or create an account. The password leaves this form only as OPAQUE messages (never sent as is). */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { messageOf } from './messages'
import { isSecondFactorRequired, type Session } from './sdk'
import { createAccount, unlock } from './vault'

type Props = Readonly<{
  onSignedIn: (session: Session) => void
  onRegistered: (session: Session, recoveryKey: string) => void
}>

const MIN_PASSWORD_LENGTH = 10

export const AuthScreen = ({ onSignedIn, onRegistered }: Props) => {
  const [mode, setMode] = useState<'login' | 'register'>('login')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  // Shown once the server asked for a second factor (the password was right).
  const [needsCode, setNeedsCode] = useState(false)
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()

  const submit = async (event: Event) => {
    event.preventDefault()
    setError(undefined)
    if (mode === 'register' && password.length < MIN_PASSWORD_LENGTH)
      return setError(`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`)
    if (mode === 'register' && password !== confirm) return setError('The two passwords differ.')
    setBusy(true)
    let askedForCode = false
    try {
      if (mode === 'login') {
        const session = await unlock(username.trim(), password, needsCode ? code : undefined)
        if (E.isLeft(session) && isSecondFactorRequired(session.left)) {
          setNeedsCode(true)
          askedForCode = true
          return setError('This account has a second factor: enter a code from your app, or a recovery code.')
        }
        if (E.isLeft(session)) {
          // A wrong code leaves the password right: kept for the next code.
          askedForCode = session.left._tag === 'ApiError' && session.left.code === 'second-factor-invalid'
          return setError(messageOf(session.left))
        }
        onSignedIn(session.right)
      } else {
        const created = await createAccount(username.trim(), password)
        if (E.isLeft(created)) return setError(messageOf(created.left))
        onRegistered(created.right.session, created.right.recoveryKey)
      }
    } finally {
      // The password is kept only for the retry with the code the server just asked for.
      if (!askedForCode) setPassword('')
      setConfirm('')
      setCode('')
      setBusy(false)
    }
  }

  const switchTo = (next: 'login' | 'register') => {
    setMode(next)
    setError(undefined)
  }

  return (
    <main class="auth">
      <h1>ZKEB</h1>
      <p class="lead">
        Zero-knowledge backups: your files are encrypted in this browser before they leave it.
      </p>
      <div class="tabs" role="group" aria-label="Choose">
        <button type="button" aria-pressed={mode === 'login'} onClick={() => switchTo('login')}>
          Log in
        </button>
        <button type="button" aria-pressed={mode === 'register'} onClick={() => switchTo('register')}>
          Create account
        </button>
      </div>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="auth-title">
        <h2 id="auth-title">{mode === 'login' ? 'Log in' : 'Create an account'}</h2>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {mode === 'login' && needsCode && (
          <>
            <label for="code">Authentication code (or a recovery code)</label>
            <input
              id="code"
              name="code"
              autocomplete="one-time-code"
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </>
        )}
        {mode === 'register' && (
          <>
            <label for="confirm">Repeat the password</label>
            <input
              id="confirm"
              name="confirm"
              type="password"
              autocomplete="new-password"
              required
              value={confirm}
              onInput={(e) => setConfirm(e.currentTarget.value)}
            />
          </>
        )}
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Working…' : mode === 'login' ? 'Log in' : 'Create account'}
        </button>
        {busy && <p role="status">Deriving keys in your browser; this takes a few seconds.</p>}
      </form>
    </main>
  )
}
