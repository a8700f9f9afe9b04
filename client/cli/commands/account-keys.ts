/**
 * The commands that change what protects the keys: passwd (a new password wraps the same master key) and
 * rotate-keys (a new master key, every data key re-wrapped, resumable). Both keep the session they end with.
 */
import { encodeBase64Url } from '../../../domain/base64url'
import { changePassword, rewrapDeviceKey, rotateKeys, saveKeyring } from '../../sdk'
import { sdk, secret, wrappedDeviceKeyOf, type Ctx, type Output } from '../context'
import { withSession } from '../kept-session'
import { rotationProgress, rotationStoreFor } from '../rotation-state'

/** Sensitive: runs in a session that proved the password just now (the server wants a recent login). */
export const passwdCommand = (ctx: Ctx): Promise<Output> =>
  withSession(
    ctx,
    async (session, _state, keeper) => {
      const newPassword = await secret(ctx, 'ZKEB_NEW_PASSWORD', 'new password', true)
      const changed = sdk(await changePassword(session, newPassword))
      await keeper.update({ session: changed, password: newPassword })
      return {
        json: { changed: true },
        text: 'Password changed; other sessions and their restic tokens were ended.\n',
      }
    },
    'fresh',
  )

export const rotateKeysCommand = (ctx: Ctx): Promise<Output> =>
  withSession(ctx, async (session, state, keeper) => {
    const recoveryKey = await secret(ctx, 'ZKEB_RECOVERY_KEY', 'recovery key')
    const kept = rotationStoreFor(ctx.io.env, session.accountId)
    const resumeFrom = await kept.load()
    const progress = rotationProgress(ctx.io.stderr, !ctx.json)
    const rotated = sdk(
      await rotateKeys(session, {
        recoveryKey,
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
        onProgress: (p) => progress(p.staged, p.total),
        onCheckpoint: kept.save,
      }),
    )
    await kept.clear()
    if (!ctx.json && ctx.io.stderr.isTTY === true) ctx.io.stderr.write('\n')
    const wrapped = sdk(await rewrapDeviceKey(session, rotated, wrappedDeviceKeyOf(ctx, state)))
    await keeper.update({ session: rotated, wrappedDeviceKey: encodeBase64Url(wrapped) })
    const keyring = await saveKeyring(session, rotated)
    const namesKept = keyring._tag === 'Right'
    return {
      json: { keyBundleVersion: rotated.keyBundleVersion, keyringSaved: namesKept },
      text:
        'Keys rotated: every backup’s data key is re-wrapped under the new master key.\n' +
        (namesKept
          ? 'Earlier names stay readable through the keyring backup (.zkeb-keyring): keep it.\n'
          : 'Warning: the keyring could not be saved, so names written before the rotation no longer open.\n'),
    }
  })
