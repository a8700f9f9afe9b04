/**
 * The web app in a real browser (Debian's Chromium, headless, driven by playwright-core) against the real
 * Koa server: register, upload, reload, log in, download the same bytes; a wrong password; a tampered
 * download refused; trash and restore; devices, audit chain and account screens; and no secret in any
 * request the browser sent. Screenshots of each screen land in test-results/web/ (gitignored).
 * In CI a missing Chromium fails the suite; locally it skips.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { expect } from 'chai'
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core'
import * as E from 'fp-ts/Either'
import { login, registerDevice } from '../../client/sdk'
import { chromiumArgs, chromiumPath, chromiumPresent, startWebServer, type WebServer } from './web-harness'

const shots = resolve(__dirname, '../../test-results/web')
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

type AxeViolation = Readonly<{ id: string; impact: string | null; nodes: ReadonlyArray<unknown> }>
const saveFilePickerStandIn = `
  const saved = { bytes: [], closed: false, aborted: false }
  globalThis.savedToDisk = saved
  globalThis.showSaveFilePicker = async () => ({
    createWritable: async () => {
      Object.assign(saved, { bytes: [], closed: false, aborted: false })
      return {
        write: async (chunk) => { for (const b of chunk) saved.bytes.push(b) },
        close: async () => { saved.closed = true },
        abort: async () => { saved.aborted = true },
      }
    },
  })
`
type SentRequest = Readonly<{ url: string; headers: string; body: Buffer | null }>

describe('web app in headless Chromium', function () {
  this.timeout(60_000)
  // Each step builds on the one before: after a failure the rest are skipped, keeping the run short. (Not
  // mocha's bail: a suite with bail set is skipped whole when any earlier test in the run has failed.)
  let aStepFailed = false
  beforeEach(function () {
    if (aStepFailed) this.skip()
  })
  let server: WebServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const sent: SentRequest[] = []
  const cspViolations: string[] = []
  const pageErrors: string[] = []
  const username = `web-${randomUUID().slice(0, 8)}`
  const password = `correct horse ${randomUUID()}`
  const newPassword = `battery staple ${randomUUID()}`
  const marker = `PLAINTEXT-MARKER-${randomUUID()}`
  // Random bytes around a text marker, over several 64 KiB segments.
  const content = Buffer.concat([randomBytes(150_000), Buffer.from(marker), randomBytes(60_000)])
  const fileName = `holiday-${randomUUID().slice(0, 6)}.bin`
  let recoveryKey = ''

  before(async function () {
    if (!chromiumPresent()) {
      if (process.env.CI !== undefined)
        throw new Error(`${chromiumPath} is missing (apt-get install chromium)`)
      this.skip()
    }
    mkdirSync(shots, { recursive: true })
    server = await startWebServer()
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 })
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } })
    context.on('request', (r: Request) =>
      sent.push({ url: r.url(), headers: JSON.stringify(r.headers()), body: r.postDataBuffer() }),
    )
    page = await context.newPage()
    // The native save dialog cannot be driven headless: a recording stand-in for showSaveFilePicker (the
    // File System Access API) lets the streamed-download path run; the default path uses real downloads.
    // A string, not a function: tsx's compiled functions call helpers that do not exist in the page.
    await page.addInitScript(saveFilePickerStandIn)
    page.setDefaultTimeout(30_000)
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text())
      // Chromium logs every 404, even where 404 is the answer "there is none" (no open key rotation, no
      // snapshot key yet), which the SDK reads as such.
      const answersNone = /\/api\/v1\/(key-rotations\/current|snapshot-key)$/.test(m.location().url)
      if (m.type() === 'error' && !(answersNone && / 404 /.test(m.text()))) pageErrors.push(m.text())
    })
    page.on('pageerror', (e) => pageErrors.push(e.message))
  })

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') aStepFailed = true
    if (this.currentTest?.state === 'failed' && pageErrors.length > 0) console.error(pageErrors)
    if (this.currentTest?.state === 'failed' && page !== undefined)
      await screenshot(page, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`)
  })

  after(async () => {
    await browser?.close()
    await server?.close()
  })

  const logIn = async (pw: string) => {
    await page.goto(server.base)
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password', { exact: true }).fill(pw)
    await page.getByRole('button', { name: 'Log in' }).last().click()
  }

  it('serves the app under a strict Content-Security-Policy', async () => {
    const response = await page.goto(server.base)
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp)
      .to.include("default-src 'none'")
      .and.include("connect-src 'self'")
      .and.include("script-src 'self'")
    expect(csp).not.to.include('unsafe-inline')
    expect(response?.headers()['cache-control']).to.equal('no-cache')
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await screenshot(page, '01-login')
  })

  it('registers and shows the recovery key once, behind a confirmation', async () => {
    await page.getByRole('button', { name: 'Create account' }).first().click()
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByLabel('Repeat the password').fill(password)
    await page.getByRole('button', { name: 'Create account' }).last().click()
    recoveryKey = (await page.getByTestId('recovery-key').textContent()) ?? ''
    expect(recoveryKey).to.match(/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/)
    await screenshot(page, '02-recovery-key')
    const continueButton = page.getByRole('button', { name: 'Continue' })
    expect(await continueButton.isDisabled()).to.equal(true)
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download as a text file' }).click()
    expect(await readFile((await (await download).path()) ?? '', 'utf8')).to.include(recoveryKey)
    await page.getByLabel('I have saved my recovery key somewhere safe').check()
    await continueButton.click()
    await page.getByRole('heading', { name: 'Backups' }).waitFor()
  })

  it('uploads a file with per-file progress, then lists it by its decrypted name', async () => {
    await page
      .locator('#file-input')
      .setInputFiles({ name: fileName, mimeType: 'application/octet-stream', buffer: content })
    await page.locator('.uploads li[data-state="done"]').waitFor()
    await page.getByRole('row', { name: new RegExp(fileName) }).waitFor()
    expect(await page.getByTestId('quota').textContent()).to.match(/KiB of/)
    await screenshot(page, '03-backups')
  })

  it('after a reload (keys gone), logs in again and downloads the identical bytes', async () => {
    await page.reload()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await logIn(password)
    await page.getByRole('row', { name: new RegExp(fileName) }).waitFor()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: `Download ${fileName}` }).click()
    const file = await download
    expect(file.suggestedFilename()).to.equal(fileName)
    const bytes = await readFile((await file.path()) ?? '')
    expect(bytes.equals(content)).to.equal(true)
    await page.getByText(`${fileName} verified and saved.`).waitFor()
  })

  it('refuses a tampered download with a clear error and offers no file', async () => {
    let offered = false
    page.on('download', () => (offered = true))
    server.tamper.enabled = true
    try {
      await page.getByRole('button', { name: `Download ${fileName}` }).click()
      await page.getByRole('alert').filter({ hasText: 'failed its integrity check' }).waitFor()
    } finally {
      server.tamper.enabled = false
    }
    await screenshot(page, '04-tampered-download')
    expect(offered).to.equal(false)
  })

  it('streams a download straight to disk when chosen, committing only verified bytes', async () => {
    type Saved = { bytes: number[]; closed: boolean; aborted: boolean }
    const saved = () => page.evaluate<Saved>('globalThis.savedToDisk')
    await page.getByLabel(/Save downloads straight to disk/).check()
    await page.getByRole('button', { name: `Download ${fileName}` }).click()
    await page.getByText(`${fileName} verified and saved.`).waitFor()
    const good = await saved()
    expect(good.closed && !good.aborted).to.equal(true)
    expect(Buffer.from(good.bytes).equals(content)).to.equal(true)
    server.tamper.enabled = true
    try {
      await page.getByRole('button', { name: `Download ${fileName}` }).click()
      await page.getByRole('alert').filter({ hasText: 'failed its integrity check' }).waitFor()
    } finally {
      server.tamper.enabled = false
    }
    const bad = await saved()
    expect(bad.aborted && !bad.closed).to.equal(true)
    await page.getByLabel(/Save downloads straight to disk/).uncheck()
  })

  it('cancels an upload in progress, and nothing is stored', async () => {
    // A 96 MiB file made in the page (not sent over the driver's connection), large enough to be caught mid-way.
    await page.evaluate(`(() => {
      const input = document.getElementById('file-input')
      const files = new DataTransfer()
      files.items.add(new File([new Uint8Array(96 * 1024 * 1024)], 'big.bin'))
      input.files = files.files
      input.dispatchEvent(new Event('change', { bubbles: true }))
    })()`)
    await page.locator('.uploads li[data-state="encrypting"]', { hasText: 'big.bin' }).waitFor()
    await page.getByRole('button', { name: 'Cancel upload of big.bin' }).click()
    await page.locator('.uploads li[data-state="cancelled"]', { hasText: 'big.bin' }).waitFor()
    await page.waitForTimeout(500)
    const rows = page.getByRole('row', { name: /big\.bin/ })
    expect(await rows.count()).to.equal(0)
  })

  it('moves the file to the trash and restores it', async () => {
    await page.getByRole('button', { name: `Move to trash: ${fileName}` }).click()
    await page.getByText(`${fileName} moved to the trash.`).waitFor()
    await page.getByRole('row', { name: new RegExp(fileName) }).waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Trash', exact: true }).click()
    await page.getByRole('row', { name: new RegExp(fileName) }).waitFor()
    await screenshot(page, '05-trash')
    await page.getByRole('button', { name: `Restore ${fileName}` }).click()
    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('button', { name: 'Backups', exact: true }).click()
    await page.getByRole('row', { name: new RegExp(fileName) }).waitFor()
  })

  it('shows devices, the audit trail with its chain verified, and the account', async () => {
    await page.getByRole('button', { name: 'Devices' }).click()
    await page.getByText('this browser', { exact: true }).waitFor()
    await screenshot(page, '06-devices')
    await page.getByRole('button', { name: 'Audit trail' }).click()
    expect(await page.getByTestId('chain-status').textContent()).to.match(/Hash chain verified/)
    await screenshot(page, '07-audit')
    await page.getByRole('button', { name: 'Account' }).click()
    await page.getByRole('heading', { name: 'Change password' }).waitFor()
    await page.getByTestId('quota').waitFor()
    await screenshot(page, '08-account')
  })

  it('changes the password and rotates the keys; the content still restores', async () => {
    // Older than the fresh-login window: the form proves the current password again first.
    server.clock.advance(6 * 60_000)
    await page.getByLabel('Current password').fill('not the password')
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('Repeat the new password').fill(newPassword)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('alert').filter({ hasText: 'The current password is wrong.' }).waitFor()
    await page.getByLabel('Current password').fill(password)
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('Repeat the new password').fill(newPassword)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Password changed.').waitFor()
    await page.getByLabel('Recovery key').fill('AAAA-BBBB')
    await page.getByRole('button', { name: 'Rotate keys' }).click()
    await page.getByRole('alert').filter({ hasText: 'recovery key is not valid' }).waitFor()
    await page.getByLabel('Recovery key').fill(recoveryKey)
    await page.getByRole('button', { name: 'Rotate keys' }).click()
    await page.getByText('Keys rotated').waitFor()
    await screenshot(page, '09-account-after-rotation')
    // Protocol v1 cannot re-encrypt names under the new key; the content's key was re-wrapped.
    await page.getByRole('button', { name: 'Backups', exact: true }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: /^Download / }).click()
    expect((await readFile((await (await download).path()) ?? '')).equals(content)).to.equal(true)
  })

  it('logs out, and refuses the old password', async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await logIn(password)
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor()
    await screenshot(page, '10-wrong-password')
  })

  it('logs in with the new password as the same device (its key re-wrapped at rotation)', async () => {
    await logIn(newPassword)
    await page.getByRole('button', { name: /^Download / }).waitFor()
    await page.getByRole('button', { name: 'Devices', exact: true }).click()
    await page.getByText('this browser', { exact: true }).waitFor()
    expect(await page.getByRole('cell', { name: 'Active' }).count()).to.equal(1)
  })

  it('works by keyboard with visible focus, has no serious axe-core violation, and no sideways scrolling at 200% zoom', async () => {
    // axe is injected as a script, which the app's CSP rightly forbids: this context alone bypasses it.
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 550, height: 800 } })
    try {
      const axePage = await axeContext.newPage()
      axePage.setDefaultTimeout(30_000)
      const audit = async (screen: string) => {
        await axePage.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
        const violations = await axePage.evaluate(async () => {
          const axe = (
            globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }
          ).axe
          return (await axe.run()).violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            nodes: v.nodes.length,
          }))
        })
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        expect(serious, `axe on ${screen}`).to.deep.equal([])
        // A 1100 px window at 200% zoom lays out like this 550 px one: nothing may need sideways scrolling.
        // Evaluated in the page (a string: this test compiles without the DOM's types).
        const overflow = Number(
          await axePage.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        )
        expect(overflow, `horizontal overflow on ${screen}`).to.be.at.most(0)
      }
      await axePage.goto(server.base)
      await axePage.getByRole('heading', { name: 'Log in' }).waitFor()
      await audit('the login screen')
      // Keyboard only: Tab to the username field, type, Tab, type, Enter; each focus ring must show.
      const focused = () =>
        axePage.evaluate<{ id: string; outline: string }>(
          `({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle })`,
        )
      for (let tabs = 0; tabs < 6 && (await focused()).id !== 'username'; tabs++) {
        await axePage.keyboard.press('Tab')
        expect((await focused()).outline, 'a visible focus ring').not.to.equal('none')
      }
      expect((await focused()).id).to.equal('username')
      await axePage.keyboard.type(username)
      await axePage.keyboard.press('Tab')
      expect(await focused()).to.deep.equal({ id: 'password', outline: 'solid' })
      await axePage.keyboard.type(newPassword)
      await axePage.keyboard.press('Enter')
      await axePage.getByRole('button', { name: /^Download / }).waitFor()
      await audit('backups')
      await axePage.screenshot({ path: join(shots, '11-backups-at-200-percent.png'), fullPage: true })
      for (const [button, ready] of [
        ['Trash', 'The trash is empty.'],
        ['Devices', 'Revoke'],
        ['Audit trail', 'Hash chain verified'],
        ['Account', 'Change password'],
      ] as const) {
        await axePage.getByRole('button', { name: button, exact: true }).click()
        await axePage.getByText(ready).first().waitFor()
        await audit(button)
      }
    } finally {
      await axeContext.close()
    }
  })

  it('asks for the password to revoke another device once the login is old, then revokes it', async () => {
    // A second device of the account, registered by another client (the SDK, with the app's stretching).
    const other = await login({ baseUrl: server.base }, { username, password: newPassword })
    if (E.isLeft(other)) throw new Error(`login failed: ${other.left._tag}`)
    expect(E.isRight(await registerDevice(other.right, 'the other laptop'))).to.equal(true)
    server.clock.advance(6 * 60_000)
    await page.getByRole('button', { name: 'Backups', exact: true }).click()
    await page.getByRole('button', { name: 'Devices', exact: true }).click()
    const revoke = page.getByRole('button', { name: 'Revoke the other laptop' })
    await revoke.waitFor()
    page.once('dialog', (dialog) => void dialog.accept())
    const errorsBefore = pageErrors.length
    await revoke.click()
    await page.getByRole('heading', { name: 'Confirm with your password' }).waitFor()
    await page.getByLabel('Your password', { exact: true }).fill(newPassword)
    await page.getByRole('button', { name: 'Confirm and revoke' }).click()
    await page.getByText(/revoked\.$/).waitFor()
    await page.getByRole('cell', { name: /^Revoked / }).waitFor()
    expect(await page.getByRole('cell', { name: /^Revoked / }).count()).to.equal(1)
    // The browser logs the refused first attempt; it is the server's answer, not a fault of the page.
    expect(pageErrors.splice(errorsBefore)).to.deep.equal([
      'Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ])
    await screenshot(page, '12-device-revoked-after-password')
  })

  it('sent no password, plaintext or key material in any request, and met no CSP violation', () => {
    const secrets = [
      password,
      newPassword,
      marker,
      recoveryKey,
      recoveryKey.replaceAll('-', ''),
      Buffer.from(password).toString('base64'),
      Buffer.from(password).toString('base64url'),
    ]
    expect(sent.length).to.be.greaterThan(10)
    const uploads = server.received.filter((r) => r.method === 'PUT' && r.url.endsWith('/content'))
    expect(uploads).to.have.length(1)
    expect(uploads[0]!.body.length).to.be.greaterThan(content.length)
    // The search can find what is there: the username does travel (registration, login).
    expect(server.received.some((r) => r.body.includes(Buffer.from(username)))).to.equal(true)
    for (const secret of secrets) {
      const needle = Buffer.from(secret)
      for (const r of sent) {
        expect(r.url, 'a URL').not.to.include(secret)
        expect(r.headers, 'request headers').not.to.include(secret)
        expect(r.body?.includes(needle) ?? false, `the body of ${r.url}`).to.equal(false)
      }
      for (const r of server.received) {
        expect(r.headers.includes(secret) || r.url.includes(secret), 'what the server received').to.equal(
          false,
        )
        expect(r.body.includes(needle), `the body the server received for ${r.method} ${r.url}`).to.equal(
          false,
        )
      }
    }
    expect(cspViolations).to.deep.equal([])
    expect(pageErrors).to.deep.equal([])
  })
})
