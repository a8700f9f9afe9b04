/** The audit trail, oldest first, its hash chain re-checked in this browser (the server cannot edit it quietly). */
import { formatDate } from './format'
import { fetchAudit, type Session } from './sdk'
import { useLoaded } from './use-loaded'

export const AuditSection = ({ session }: Readonly<{ session: Session }>) => {
  const audit = useLoaded(() => fetchAudit(session), [session])
  const trail = audit.value
  return (
    <>
      <h1>Audit trail</h1>
      {audit.error !== undefined && (
        <p class="error" role="alert">
          {audit.error}
        </p>
      )}
      {trail === undefined ? (
        <p>Loading and checking the chain…</p>
      ) : (
        <>
          {trail.firstBroken < 0 ? (
            <p class="ok" role="status" data-testid="chain-status">
              Hash chain verified in your browser: all {trail.events.length} events link up from the first.
            </p>
          ) : (
            <p class="error" role="alert" data-testid="chain-status">
              The hash chain is broken at event {trail.firstBroken + 1}: the trail was altered on the server.
            </p>
          )}
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Event</th>
                  <th scope="col">When</th>
                  <th scope="col">Device</th>
                  <th scope="col">Hash</th>
                </tr>
              </thead>
              <tbody>
                {trail.events.map((e, i) => (
                  <tr
                    key={e.eventId}
                    class={trail.firstBroken >= 0 && i >= trail.firstBroken ? 'broken' : ''}
                  >
                    <td>{i + 1}</td>
                    <th scope="row">{e.type}</th>
                    <td>{formatDate(e.at)}</td>
                    <td>{e.deviceId === null ? '—' : e.deviceId.slice(0, 8)}</td>
                    <td>
                      <code>{e.hash.slice(0, 12)}…</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  )
}
