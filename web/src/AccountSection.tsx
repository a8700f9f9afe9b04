/**
 * The account: quota, password change and key rotation (both hand back a new session to use). The password
 * change first proves the current password again (the server wants a recent login for it), in a new session.
 */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { formatDate } from './format'
import { messageOf } from './messages'
import { Quota } from './Quota'
import { changePassword, getAccount, reauthenticate, type Session } from './sdk'
import { useLoaded } from './use-loaded'
import { rotate } from './vault'

type Props = Readonly<{ session: Session; onSession: (session: Session) => void }>

const Feedback = ({ ok, error }: Readonly<{ ok: string; error: string | undefined }>) => (
  <>
    {ok !== '' && (
      <p role="status" class="ok">
        {ok}
      </p>
    )}
    {error !== undefined && (
      <p role="alert" class="error">
        {error}
      </p>
    )}
  </>
)

const PasswordForm = ({ session, onSession }: Props) => {
  const [current, setCurrent] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [ok, setOk] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setOk('')
    setError(undefined)
    if (password.length < 10) return setError('Choose a password of at least 10 characters.')
    if (password !== confirm) return setError('The two passwords differ.')
    setBusy(true)
    const fresh = await reauthenticate(session, current)
    setCurrent('')
    if (E.isLeft(fresh)) {
      setBusy(false)
      return setError(
        fresh.left._tag === 'WrongPassword' ? 'The current password is wrong.' : messageOf(fresh.left),
      )
    }
    onSession(fresh.right) // the session it replaced is ended, whatever happens next
    const changed = await changePassword(fresh.right, password)
    setBusy(false)
    setPassword('')
    setConfirm('')
    if (E.isLeft(changed)) return setError(messageOf(changed.left))
    onSession(changed.right)
    setOk('Password changed. Your other sessions and their restic tokens were signed out.')
  }
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <label for="current-password">Current password</label>
      <input
        id="current-password"
        type="password"
        autocomplete="current-password"
        required
        value={current}
        onInput={(e) => setCurrent(e.currentTarget.value)}
      />
      <label for="new-password">New password</label>
      <input
        id="new-password"
        type="password"
        autocomplete="new-password"
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <label for="new-password-confirm">Repeat the new password</label>
      <input
        id="new-password-confirm"
        type="password"
        autocomplete="new-password"
        required
        value={confirm}
        onInput={(e) => setConfirm(e.currentTarget.value)}
      />
      <Feedback ok={ok} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  )
}

const RotationForm = ({ session, onSession }: Props) => {
  const [recoveryKey, setRecoveryKey] = useState('')
  const [ok, setOk] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setOk('')
    setError(undefined)
    setBusy(true)
    const rotated = await rotate(session, recoveryKey)
    setBusy(false)
    setRecoveryKey('')
    if (E.isLeft(rotated)) return setError(messageOf(rotated.left))
    onSession(rotated.right)
    setOk('Keys rotated: every backup key is now wrapped under a new master key.')
  }
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="rotation-title">
      <h2 id="rotation-title">Rotate keys</h2>
      <p>
        Makes a new master key and re-wraps every backup’s key under it (contents are not re-encrypted). Your
        recovery key stays the same. Names of files and devices written before the rotation will show as
        unreadable afterwards (a limit of protocol v1); their contents still restore.
      </p>
      <label for="rotation-recovery-key">Recovery key</label>
      <input
        id="rotation-recovery-key"
        autocomplete="off"
        spellcheck={false}
        required
        value={recoveryKey}
        onInput={(e) => setRecoveryKey(e.currentTarget.value)}
      />
      <Feedback ok={ok} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Rotating…' : 'Rotate keys'}
      </button>
    </form>
  )
}

export const AccountSection = ({ session, onSession }: Props) => {
  const account = useLoaded(() => getAccount(session), [session])
  return (
    <>
      <h1>Account</h1>
      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">{session.username}</h2>
        {account.value !== undefined && (
          <p>
            Created {formatDate(account.value.createdAt)} · key bundle version{' '}
            {account.value.keyBundleVersion}
          </p>
        )}
        <Quota session={session} round={0} />
      </section>
      <PasswordForm session={session} onSession={onSession} />
      <RotationForm session={session} onSession={onSession} />
    </>
  )
}
