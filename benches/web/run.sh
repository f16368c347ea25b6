#!/usr/bin/env bash
# Load test of the web application with wrk (Debian: apt-get install wrk): the handler's
# inbox and a case page at 50 concurrent connections, and submitting reports at the same
# concurrency, on a register pre-filled with generated cases; then the JSON API: the
# protocol engine (no token), the inbox and a case through API tokens.
#
#   CASES=1000000 bash benches/web/run.sh          # fills a register once (slow), then measures
#   DATA=/path/to/data bash benches/web/run.sh     # reuses a filled data folder
#   DATABASE_URL=postgres://…/empty bash benches/web/run.sh   # the same on PostgreSQL
#
# The filled data folder is kept (default /tmp/weerbaar-bench-<CASES>) so that later runs
# measure again without refilling. Figures: wrk's p50/p99 latencies and requests/s.
set -euo pipefail
cd "$(dirname "$0")/../.."

CASES=${CASES:-20000}
DATA=${DATA:-/tmp/weerbaar-bench-$CASES}
PORT=${PORT:-18181}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
BIN=${WB_BIN:-target/release/weerbaar}
PASSWORD="een lange zin als wachtwoord"

# Every command of this run (init, user add, token create, serve) on that database.
if [ -n "${DATABASE_URL:-}" ]; then
    export WEERBAAR_DATABASE__URL="$DATABASE_URL"
fi

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || cargo build --release -p weerbaar --locked

if [ ! -e "$DATA/filled" ]; then
    echo "== filling $DATA with $CASES cases (500 per transaction)"
    "$BIN" --data-dir "$DATA" init --preset westerveld >/dev/null
    start=$(date +%s)
    "$BIN" --data-dir "$DATA" demo seed --cases "$CASES" --batch 500 | tail -n 3
    echo "filled in $(( $(date +%s) - start )) s"
    printf '%s\n' "$PASSWORD" | "$BIN" --data-dir "$DATA" user add --name "Bench Beheer" \
        --email beheer@bench.example --role ambtenaar --duty beheerder >/dev/null
    printf '%s\n' "$PASSWORD" | "$BIN" --data-dir "$DATA" user add --name "Bench Griffier" \
        --email griffier@bench.example --role griffier >/dev/null
    printf '%s\n' "$PASSWORD" | "$BIN" --data-dir "$DATA" user add --name "Bench Raadslid" \
        --email raadslid@bench.example --role raadslid >/dev/null
    touch "$DATA/filled"
fi
if [ -e "$DATA/weerbaar.db" ]; then
    ls -la "$DATA"/weerbaar.db | awk '{print "database: SQLite,", $5, "bytes"}'
else
    echo "database: PostgreSQL"
fi

"$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

base="http://127.0.0.1:$PORT"
IFS=$'\t' read -r griffier_cookie _ < <(python3 benches/web/signin.py "$base" griffier@bench.example "$PASSWORD" "$DATA/griffier.totp")
# A TOTP code counts once per 30 s step and person; the raadslid has no second factor.
IFS=$'\t' read -r raadslid_cookie raadslid_csrf < <(python3 benches/web/signin.py "$base" raadslid@bench.example "$PASSWORD" "$DATA/raadslid.totp")

# Case pages of many cases: every open is a read on that case's timeline, and one case
# read thousands of times in a row is not what handlers do.
curl -fsS -H "Cookie: $griffier_cookie" "$base/werkbak?stand=alle" | grep -o '/zaken/[0-9a-f-]\{36\}' | sort -u >"$DATA/case-paths.txt"
[ -s "$DATA/case-paths.txt" ] || { echo "the inbox shows no case" >&2; exit 1; }
echo "case pages: $(wc -l <"$DATA/case-paths.txt") cases"

echo "== inbox (/werkbak), $CONNECTIONS connections, $DURATION"
WB_COOKIE="$griffier_cookie" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/get.lua "$base/werkbak"
echo "== case pages (/zaken/ID, spread over the cases above), $CONNECTIONS connections, $DURATION"
WB_COOKIE="$griffier_cookie" WB_PATHS="$DATA/case-paths.txt" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/get.lua "$base/"
echo "== submitting reports (POST /melden), $CONNECTIONS connections, $DURATION"
WB_COOKIE="$raadslid_cookie" WB_CSRF="$raadslid_csrf" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/report.lua "$base/melden"

# The API. Tokens are limited to 600 requests a minute each (crates/web/src/api/bearer.rs),
# so the load is spread over many of the griffier's read tokens: the figures are the
# server's, and the 429 count shows that the limit was not what was measured.
tokens="$DATA/api-tokens.txt"
if [ ! -s "$tokens" ]; then
    for i in $(seq 1 100); do
        "$BIN" --data-dir "$DATA" token create --email griffier@bench.example --scope read \
            --days 365 --name "bench $i"
    done >"$tokens"
fi
sed 's|^/zaken/|/api/v1/cases/|' "$DATA/case-paths.txt" >"$DATA/api-case-paths.txt"
echo "== API: evaluating facts (POST /api/v1/protocol/evaluate, no token), $CONNECTIONS connections, $DURATION"
WB_BODY=examples/facts.json wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/api.lua "$base/api/v1/protocol/evaluate?preset=westerveld"
echo "== API: the inbox (GET /api/v1/inbox), $CONNECTIONS connections, $DURATION"
WB_TOKENS="$tokens" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/api.lua "$base/api/v1/inbox"
echo "== API: cases (GET /api/v1/cases/ID, spread over the cases above), $CONNECTIONS connections, $DURATION"
WB_TOKENS="$tokens" WB_PATHS="$DATA/api-case-paths.txt" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s benches/web/api.lua "$base/"
