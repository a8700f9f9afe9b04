/**
 * The web app in headless Chromium, for an account with a TOTP factor (enrolled through the SDK): the login
 * asks for a code once the password is right, refuses a wrong one, opens with the app's code, and in another
 * browser opens with a recovery code. In CI a missing Chromium fails the suite; locally it skips.
 */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { Secret, TOTP } from 'otpauth'
import { chromium, type Browser, type Page } from 'playwright-core'
import { confirmTotp, login, register, startTotpEnrolment } from '../../client/sdk'
import { seconds } from '../support/controllable-clock'
import { chromiumArgs, chromiumPath, chromiumPresent, startWebServer, type WebServer } from './web-harness'

describe('web app in headless Chromium: second factor at login', function () {
  this.timeout(90_000)
  let server: WebServer
  let browser: Browser
  const username = `web2fa-${randomUUID().slice(0, 8)}`
  const password = `correct horse ${randomUUID()}`
  let secret = ''
  let recoveryCodes: ReadonlyArray<string> = []
  const code = () =>
    new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: server.clock.now().getTime() })

  before(async function () {
    if (!chromiumPresent()) {
      if (process.env.CI !== undefined) throw new Error(`${chromiumPath} is missing`)
      this.skip()
    }
    server = await startWebServer()
    const options = { baseUrl: server.base }
    expect(E.isRight(await register(options, { username, password }))).to.equal(true)
    const session = await login(options, { username, password })
    if (E.isLeft(session)) throw new Error('login failed')
    const started = await startTotpEnrolment(session.right)
    if (E.isLeft(started)) throw new Error('enrolment failed')
    secret = started.right.secret
    const confirmed = await confirmTotp(session.right, started.right.factorId, code())
    if (E.isLeft(confirmed)) throw new Error('confirmation failed')
    recoveryCodes = confirmed.right
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 })
  })

  after(async () => {
    await browser?.close()
    await server?.close()
  })

  const newPage = async (): Promise<Page> => {
    const page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(30_000)
    await page.goto(server.base)
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Log in' }).last().click()
    await page.getByRole('alert').filter({ hasText: 'second factor' }).waitFor()
    return page
  }

  const submitCode = async (page: Page, value: string) => {
    await page.getByLabel('Authentication code (or a recovery code)').fill(value)
    await page.getByRole('button', { name: 'Log in' }).last().click()
  }

  it('asks for the code after the password, refuses a wrong one, and opens with the app’s code', async () => {
    const page = await newPage()
    server.clock.advance(seconds(30))
    const right = code()
    await submitCode(page, String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'))
    await page.getByRole('alert').filter({ hasText: 'That code is wrong' }).waitFor()
    await submitCode(page, right)
    await page.getByRole('button', { name: 'Log out' }).waitFor()
  })

  it('opens in another browser with a recovery code, once', async () => {
    const page = await newPage()
    await submitCode(page, recoveryCodes[0]!)
    await page.getByRole('button', { name: 'Log out' }).waitFor()
    const again = await newPage()
    await submitCode(again, recoveryCodes[0]!)
    await again.getByRole('alert').filter({ hasText: 'That code is wrong' }).waitFor()
  })
})
