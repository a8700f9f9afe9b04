/**
 * The app's three states: signed out, a new account showing its recovery key once, and signed in.
 * The Session (and so every key) lives only in this component's state: a reload forgets it.
 */
import { useState } from 'preact/hooks'
import { AuthScreen } from './AuthScreen'
import { RecoveryKeyScreen } from './RecoveryKeyScreen'
import { Workspace } from './Workspace'
import type { Session } from './sdk'

type View =
  | Readonly<{ kind: 'signed-out' }>
  | Readonly<{ kind: 'new-account'; session: Session; recoveryKey: string }>
  | Readonly<{ kind: 'signed-in'; session: Session }>

export const App = () => {
  const [view, setView] = useState<View>({ kind: 'signed-out' })
  switch (view.kind) {
    case 'signed-out':
      return (
        <AuthScreen
          onSignedIn={(session) => setView({ kind: 'signed-in', session })}
          onRegistered={(session, recoveryKey) => setView({ kind: 'new-account', session, recoveryKey })}
        />
      )
    case 'new-account':
      return (
        <RecoveryKeyScreen
          username={view.session.username}
          recoveryKey={view.recoveryKey}
          onConfirmed={() => setView({ kind: 'signed-in', session: view.session })}
        />
      )
    case 'signed-in':
      return <Workspace initialSession={view.session} onSignedOut={() => setView({ kind: 'signed-out' })} />
  }
}
