/** Used and allowed storage, from the account record. */
import { formatBytes } from './format'
import { getAccount, type Session } from './sdk'
import { useLoaded } from './use-loaded'

export const Quota = ({ session, round }: Readonly<{ session: Session; round: number }>) => {
  const account = useLoaded(() => getAccount(session), [session, round])
  const quota = account.value?.quota
  if (quota === undefined) return account.error === undefined ? null : <p class="error">{account.error}</p>
  return (
    <p class="quota">
      <label for="quota-meter">Storage used</label>{' '}
      <meter id="quota-meter" min={0} max={quota.limitBytes} value={quota.usedBytes} />{' '}
      <span data-testid="quota">
        {formatBytes(quota.usedBytes)} of {formatBytes(quota.limitBytes)}
      </span>
    </p>
  )
}
