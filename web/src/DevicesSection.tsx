/** The account's devices (names decrypted here); revoking one ends its sessions and refuses its uploads. */
import * as E from 'fp-ts/Either'
import { useState } from 'preact/hooks'
import { formatDate } from './format'
import { messageOf } from './messages'
import { listDevices, revokeDevice, type DeviceView, type Session } from './sdk'
import { useLoaded } from './use-loaded'

export const DevicesSection = ({ session }: Readonly<{ session: Session }>) => {
  const devices = useLoaded(() => listDevices(session), [session])
  const [error, setError] = useState<string | undefined>()
  const [status, setStatus] = useState('')

  const revoke = async (d: DeviceView) => {
    const name = d.name ?? 'this device'
    if (!window.confirm(`Revoke ${name}? It will be signed out and can no longer upload.`)) return
    const done = await revokeDevice(session, d.deviceId)
    if (E.isLeft(done)) return setError(messageOf(done.left))
    setStatus(`${name} revoked.`)
    devices.reload()
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
