#!/usr/bin/env bash
# schemathesis against a live `target/debug/weerbaar serve`: every operation of
# /api/v1/openapi.json is called with generated input and a real API token; no answer may
# be a server error, and every answer must match the document (status code, content type,
# body schema).
#
# Makes its own virtualenv with a pinned schemathesis from PyPI (target/schemathesis-venv),
# a throwaway data folder (weerbaar init, user add, token create: the command line, no
# back door in the product), one report so the lists have content, and a server on a free
# port on 127.0.0.1. Needs target/debug/weerbaar (cargo build -p weerbaar).
#
# The last line is `schemathesis: N passed, M failed`: N and M count operations (JUnit
# test cases), for .ci/run's total.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
venv=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
bin=target/debug/weerbaar
max_examples=${SCHEMATHESIS_EXAMPLES:-50}

if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "== virtualenv $venv with schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
venv=$(cd "$venv" && pwd)
"$venv/bin/st" --version

work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
email=griffie@gemeente.test
"$bin" --data-dir "$data" init --preset westerveld >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
printf '%s\n' "een lange zin als wachtwoord" \
    | "$bin" --data-dir "$data" user add --name "Greet Griffier" --email "$email" \
        --role griffier --role raadslid --duty beheerder >/dev/null
token=$("$bin" --data-dir "$data" token create --email "$email" --scope admin --days 1 --name schemathesis)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" --data-dir "$data" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!

python3 - "$base" "$token" <<'PY'
import json, sys, time, urllib.request
base, token = sys.argv[1], sys.argv[2]
for _ in range(150):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("weerbaar serve did not come up")
report = {
    "behaviours": ["dreigen_met_geweld"],
    "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)),
    "channel": "sociale_media",
    "criminal_offence_suspected": True,
    "narrative": "Een bericht dat hij mij komt opzoeken.",
    "victim": {"role": "raadslid"},
}
request = urllib.request.Request(
    base + "/api/v1/reports",
    data=json.dumps(report).encode(),
    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as answer:
    assert answer.status == 201, answer.status
PY

echo "== schemathesis against $base/api/v1/openapi.json"
set +e
# From the throwaway folder: schemathesis keeps a cache (.schemathesis/) where it runs.
(cd "$work" && "$venv/bin/st" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$max_examples" \
    --workers 2 \
    --seed 1 \
    --no-color \
    --report junit --report-dir "$work/report")
status=$?
set -e

report=$(ls "$work"/report/junit*.xml 2>/dev/null | head -n 1 || true)
if [ -z "$report" ]; then
    echo "schemathesis: no report; the server's log:"
    tail -n 50 "$work/serve.log"
    echo "schemathesis: 0 passed, 1 failed"
    exit 1
fi
python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    else:
        passed += 1
print(f"schemathesis: {passed} passed, {failed} failed")
PY
if grep -qiE "panicked|^error:" "$work/serve.log"; then
    echo "the server logged errors:"
    grep -iE "panicked|^error:" "$work/serve.log" | head -n 20
fi
exit "$status"
