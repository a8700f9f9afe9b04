/**
 * The recovery key, shown once: the only way back in without the password. The user saves it (a text
 * file made in the browser, or the clipboard) and confirms before going on; it is never stored or sent.
 */
import { useState } from 'preact/hooks'
import { offerFile } from './files'

type Props = Readonly<{ username: string; recoveryKey: string; onConfirmed: () => void }>

export const RecoveryKeyScreen = ({ username, recoveryKey, onConfirmed }: Props) => {
  const [saved, setSaved] = useState(false)
  const [copied, setCopied] = useState<string | undefined>()

  const download = () => {
    const text = `ZKEB recovery key for ${username}\n\n${recoveryKey}\n\nKeep it offline. Anyone with it and your username can reset your password.\n`
    offerFile(new Blob([text], { type: 'text/plain' }), `zkeb-recovery-key-${username}.txt`)
  }
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(recoveryKey)
      setCopied('Copied to the clipboard.')
    } catch {
      setCopied('The browser refused the clipboard: select the key and copy it by hand.')
    }
  }

  return (
    <main class="auth">
      <h1>Save your recovery key</h1>
      <p>
        This key is shown <strong>once</strong>. If you forget your password, it is the only way back to your
        backups: ZKEB cannot read or reset them for you.
      </p>
      <p class="recovery-key" aria-label="Recovery key" data-testid="recovery-key">
        {recoveryKey}
      </p>
      <div class="row">
        <button type="button" onClick={download}>
          Download as a text file
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      {copied !== undefined && <p role="status">{copied}</p>}
      <label class="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />I have
        saved my recovery key somewhere safe
      </label>
      <button type="button" class="primary" disabled={!saved} onClick={onConfirmed}>
        Continue
      </button>
    </main>
  )
}
