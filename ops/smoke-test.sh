#!/usr/bin/env bash
# Post-deploy smoke test: waits (SMOKE_ATTEMPTS × 5 s, default 5 min) for GET /api/health to answer 200, then checks that the public
# API answers as api-v1 says without touching any account: liveness, and 401 with
# the error shape on an authenticated route without a token. Usage: ops/smoke-test.sh https://host
set -euo pipefail
base=${1:?usage: smoke-test.sh BASE_URL}
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base$1" || true; }

for _ in $(seq "${SMOKE_ATTEMPTS:-60}"); do
  [ "$(status /api/health)" = 200 ] && break
  sleep 5
done
[ "$(status /api/health)" = 200 ] || { echo "smoke: /api/health never answered 200" >&2; exit 1; }
[ "$(status /api/health/live)" = 200 ] || { echo "smoke: /api/health/live is not 200" >&2; exit 1; }
[ "$(status /api/v1/account)" = 401 ] || { echo "smoke: an unauthenticated call is not 401" >&2; exit 1; }
body=$(curl -s --max-time 10 "$base/api/v1/account")
case $body in *'"error"'*'"code"'*) ;; *) echo "smoke: the 401 has no error body" >&2; exit 1 ;; esac
echo "smoke: $base healthy and answering api-v1"
