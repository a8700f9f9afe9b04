/** The signed-in app: navigation between sections, the session (replaced after rotation), and logging out. */
import { useState } from 'preact/hooks'
import { AccountSection } from './AccountSection'
import { AuditSection } from './AuditSection'
import { BackupsSection } from './BackupsSection'
import { DevicesSection } from './DevicesSection'
import type { Session } from './sdk'
import { TrashSection } from './TrashSection'
import { signOut } from './vault'

const sections = [
  ['backups', 'Backups'],
  ['trash', 'Trash'],
  ['devices', 'Devices'],
  ['audit', 'Audit trail'],
  ['account', 'Account'],
] as const
type Section = (typeof sections)[number][0]

type Props = Readonly<{ initialSession: Session; onSignedOut: () => void }>

export const Workspace = ({ initialSession, onSignedOut }: Props) => {
  const [session, setSession] = useState(initialSession)
  const [section, setSection] = useState<Section>('backups')
  const [forget, setForget] = useState(false)
  const [leaving, setLeaving] = useState(false)

  const logOut = async () => {
    setLeaving(true)
    await signOut(session, forget)
    onSignedOut()
  }

  return (
    <div class="workspace">
      <header>
        <p class="brand">ZKEB</p>
        <p class="who">
          Signed in as <strong>{session.username}</strong>
        </p>
        <form
          class="logout"
          onSubmit={(e) => {
            e.preventDefault()
            void logOut()
          }}
        >
          <label class="check">
            <input type="checkbox" checked={forget} onChange={(e) => setForget(e.currentTarget.checked)} />
            Forget this browser
          </label>
          <button type="submit" disabled={leaving}>
            Log out
          </button>
        </form>
      </header>
      <nav aria-label="Sections">
        <ul>
          {sections.map(([id, label]) => (
            <li key={id}>
              <button
                type="button"
                aria-current={section === id ? 'page' : undefined}
                onClick={() => setSection(id)}
              >
                {label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {section === 'backups' && <BackupsSection session={session} />}
        {section === 'trash' && <TrashSection session={session} />}
        {section === 'devices' && <DevicesSection session={session} onSession={setSession} />}
        {section === 'audit' && <AuditSection session={session} />}
        {section === 'account' && <AccountSection session={session} onSession={setSession} />}
      </main>
    </div>
  )
}
