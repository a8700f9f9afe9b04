/** The OpenAPI operations of health, accounts, sessions and the account itself. */
import { fresh, operation } from './openapi-operation'

const h = 'Health'
const s = 'Sessions'
const a = 'Account'

export const accountPaths = {
  '/api/health': {
    get: operation({
      summary: 'Readiness for load balancers and deploys',
      tag: h,
      ok: [200, 'Health', 'Ready: every check is ok.'],
      more: {
        503: {
          description: 'Not ready: status starting, draining or degraded, with the failing checks.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
        },
      },
    }),
  },
  '/api/health/live': {
    get: operation({ summary: 'Liveness: the process can serve', tag: h, ok: [200, 'Live', 'Alive.'] }),
  },
  '/api/openapi.json': {
    get: operation({
      summary: 'This document',
      tag: h,
      ok: [200, null, 'The OpenAPI 3.1 document (application/json).'],
    }),
  },
  '/api/v1/accounts/registration/start': {
    post: operation({
      summary: 'OPAQUE registration, step 1 (stateless: neither reveals nor reserves the username)',
      tag: s,
      limit: 'registration (per IP and per username digest)',
      body: 'StartRegistrationRequest',
      ok: [200, 'StartRegistrationResponse', 'The OPAQUE registration response.'],
    }),
  },
  '/api/v1/accounts/registration/finish': {
    post: operation({
      summary: 'OPAQUE registration, step 2: creates the account',
      tag: s,
      limit: 'registration (per IP and per username digest)',
      body: 'FinishRegistrationRequest',
      ok: [201, 'AccountId', 'Created.'],
      errors: { 409: ['username-taken'] },
    }),
  },
  '/api/v1/sessions/start': {
    post: operation({
      summary: 'OPAQUE login, step 1 (an unknown username gets the same shape and timing)',
      tag: s,
      limit: 'login (per IP and per username digest)',
      body: 'StartLoginRequest',
      ok: [200, 'StartLoginResponse', 'loginId is single use and expires after 60 s.'],
    }),
  },
  '/api/v1/sessions/finish': {
    post: operation({
      summary: 'OPAQUE login, step 2: opens a session, bound to deviceId when given',
      tag: s,
      description:
        'Not charged separately: the single-use loginId was charged by sessions/start. An account with a ' +
        'confirmed second factor also needs secondFactor, looked at only once the password is proved: ' +
        'without it 401 second-factor-required (details.accepted; the loginId is spent, log in again with ' +
        'it); wrong, replayed or spent 401 second-factor-invalid, 5 tries per account every 15 minutes ' +
        '(then 429 rate-limited).',
      body: 'FinishLoginRequest',
      ok: [200, 'Session', 'The session tokens.'],
      errors: {
        401: ['invalid-credentials', 'second-factor-required', 'second-factor-invalid'],
        403: ['device-revoked'],
        429: ['rate-limited'],
      },
    }),
  },
  '/api/v1/sessions/refresh': {
    post: operation({
      summary: 'Rotates the refresh token; a reused one revokes the whole session family',
      tag: s,
      limit: 'refresh (per IP)',
      body: 'RefreshRequest',
      ok: [200, 'RefreshedSession', 'New tokens.'],
      errors: { 401: ['invalid-refresh-token', 'refresh-token-reused'] },
    }),
  },
  '/api/v1/sessions/current': {
    delete: operation({
      summary: 'Logout: the access and refresh tokens stop working at once',
      tag: s,
      auth: true,
      ok: [204, null, 'Logged out.'],
    }),
  },
  '/api/v1/account': {
    get: operation({
      summary: 'The caller’s account, key bundle and quota',
      tag: a,
      auth: true,
      ok: [200, 'Account', 'The account.'],
      errors: { 404: ['account-not-found'] },
    }),
    delete: operation({
      summary: 'Erases the account and everything it owns (backups, blobs, devices, sessions, audit)',
      tag: a,
      auth: true,
      description: fresh,
      ok: [202, 'AccountErased', 'Erased.'],
      errors: { 403: ['fresh-login-required'] },
    }),
  },
  '/api/v1/account/key-bundle': {
    put: operation({
      summary: 'Replaces the key bundle if expectedVersion is current',
      tag: a,
      auth: true,
      body: 'UpdateKeyBundleRequest',
      ok: [200, 'KeyBundleVersion', 'The new version.'],
      errors: { 404: ['account-not-found'], 412: ['version-mismatch'] },
    }),
  },
  '/api/v1/account/password/start': {
    post: operation({
      summary: 'Password change, step 1: OPAQUE re-registration start for the caller’s username',
      tag: a,
      auth: true,
      description: fresh,
      body: 'StartPasswordChangeRequest',
      ok: [200, 'StartRegistrationResponse', 'The OPAQUE registration response.'],
      errors: { 403: ['fresh-login-required'], 404: ['account-not-found'] },
    }),
  },
  '/api/v1/account/password/finish': {
    post: operation({
      summary: 'Password change, step 2: the new OPAQUE record and passwordWrappedUmk',
      tag: a,
      auth: true,
      description:
        'Bumps keyBundleVersion (expectedVersion must be current), ends every other session and revokes ' +
        'the restic tokens other sessions and devices made, in one transaction with the credentials. ' +
        fresh,
      body: 'FinishPasswordChangeRequest',
      ok: [200, 'KeyBundleVersion', 'The new key bundle version.'],
      errors: { 403: ['fresh-login-required'], 404: ['account-not-found'], 412: ['version-mismatch'] },
    }),
  },
  '/api/v1/account/recovery/start': {
    post: operation({
      summary: 'Recovery, step 1: proves the recovery key, returns a single-use 10-minute token',
      tag: a,
      description:
        'Besides api-v1’s recoveryToken, answers the account’s recoveryWrappedUmk and keyBundleVersion ' +
        '(added fields, see x-zkeb-decisions.recoveryBundle). An unknown username and a wrong proof get ' +
        'the same 401.',
      limit: 'recovery (per IP and per username digest)',
      body: 'StartRecoveryRequest',
      ok: [200, 'RecoveryStarted', 'The recovery token and the recovery-wrapped UMK.'],
      errors: { 401: ['invalid-recovery-proof'] },
    }),
  },
  '/api/v1/account/recovery/finish': {
    post: operation({
      summary: 'Recovery, step 2: a fresh OPAQUE registration and passwordWrappedUmk',
      tag: a,
      description:
        'The client first obtains its registrationResponse from /api/v1/accounts/registration/start with ' +
        'the same username. Ends every session and revokes every restic token of the account; backups are ' +
        'untouched.',
      limit: 'recovery (per IP)',
      body: 'FinishRecoveryRequest',
      ok: [200, 'KeyBundleVersion', 'The new key bundle version.'],
      errors: { 401: ['invalid-recovery-proof'] },
    }),
  },
}
