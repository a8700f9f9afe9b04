/**
 * The account's devices (names decrypted here); revoking one ends its sessions and refuses its uploads. The
 * server wants a recent login to revoke another device: when this session's is older, the password is asked
 * for here, proved in a new session, and the revocation goes on in it.
 */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { formatDate } from './format'
import { messageOf } from './messages'
import {
  isFreshLoginRequired,
  listDevices,
  reauthenticate,
  revokeDevice,
  type DeviceView,
  type Session,
} from './sdk'
import { useLoaded } from './use-loaded'

type Props = Readonly<{ session: Session; onSession: (session: Session) => void }>

const ConfirmWithPassword = ({
  device,
  onConfirm,
}: Readonly<{ device: DeviceView; onConfirm: (password: string) => Promise<void> }>) => {
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    await onConfirm(password)
    setPassword('')
    setBusy(false)
  }
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="confirm-title">
      <h2 id="confirm-title">Confirm with your password</h2>
      <p>Revoking {device.name ?? 'a device'} needs a recent login: enter your password to go on.</p>
      <label for="confirm-password">Your password</label>
      <input
        id="confirm-password"
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Confirming…' : 'Confirm and revoke'}
      </button>
    </form>
  )
}

export const DevicesSection = ({ session, onSession }: Props) => {
  const devices = useLoaded(() => listDevices(session), [session])
  const [error, setError] = useState<string | undefined>()
  const [status, setStatus] = useState('')
  const [confirming, setConfirming] = useState<DeviceView | undefined>()

  const revokeIn = async (s: Session, d: DeviceView) => {
    const done = await revokeDevice(s, d.deviceId)
    if (E.isLeft(done) && isFreshLoginRequired(done.left)) return setConfirming(d)
    if (E.isLeft(done)) return setError(messageOf(done.left))
    setConfirming(undefined)
    setStatus(`${d.name ?? 'The device'} revoked.`)
    devices.reload()
  }

  const revoke = async (d: DeviceView) => {
    const name = d.name ?? 'this device'
    if (!window.confirm(`Revoke ${name}? It will be signed out and can no longer upload.`)) return
    setError(undefined)
    await revokeIn(session, d)
  }

  const confirmed = (d: DeviceView) => async (password: string) => {
    setError(undefined)
    const fresh = await reauthenticate(session, password)
    if (E.isLeft(fresh))
      return setError(fresh.left._tag === 'WrongPassword' ? 'That password is wrong.' : messageOf(fresh.left))
    onSession(fresh.right)
    await revokeIn(fresh.right, d)
  }

  return (
    <>
      <h1>Devices</h1>
      <p role="status" class="status">
        {status}
      </p>
      {(error ?? devices.error) !== undefined && (
        <p class="error" role="alert">
          {error ?? devices.error}
        </p>
      )}
      {confirming !== undefined && (
        <ConfirmWithPassword device={confirming} onConfirm={confirmed(confirming)} />
      )}
      {devices.value === undefined ? (
        <p>Loading…</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {devices.value.map((d) => (
                <tr key={d.deviceId}>
                  <th scope="row">
                    {d.name ?? '(name unreadable)'}
                    {d.current && <span class="badge">this browser</span>}
                  </th>
                  <td>{formatDate(d.createdAt)}</td>
                  <td>{formatDate(d.lastSeenAt)}</td>
                  <td>{d.revokedAt === null ? 'Active' : `Revoked ${formatDate(d.revokedAt)}`}</td>
                  <td>
                    {d.revokedAt === null && !d.current && (
                      <button
                        type="button"
                        onClick={() => void revoke(d)}
                        aria-label={`Revoke ${d.name ?? 'device'}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
