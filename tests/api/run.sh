#!/usr/bin/env bash
# schemathesis against a live `target/debug/weerbaar serve`: every operation of
# /api/v1/openapi.json is called with generated input and a real API token; no answer may
# be a server error, and every answer must match the document (status code, content type,
# body schema).
#
# Makes its own virtualenv with a pinned schemathesis from PyPI (target/schemathesis-venv),
# a throwaway data folder (weerbaar init, user add, token create: the command line, no
# back door in the product) and a server on a free port on 127.0.0.1. The griffier then
# sets up her second factor on the pages, as anyone does (her role asks for one, and
# without it her tokens read nothing). Then, through the
# API itself, real things for the item endpoints to find: a report with a perpetrator, a
# measure, an aftercare conversation, a police contact and an evidence file in it, and a
# consult to make a report. Their ids go into a schemathesis.toml ([[operations]] with
# `parameters`), so that schemathesis reaches the handlers behind the 404 of a made-up id.
# Needs target/debug/weerbaar (cargo build -p weerbaar).
#
# Each operation is called with a token of its own ([[operations]] `headers`): the API
# takes 600 requests a minute per token (crates/web/src/api/bearer.rs), and schemathesis
# sends a hundred a second; one token for all would be answered 429 from the first
# seconds on, and nothing behind it tested. (The limit itself is tested in
# crates/web/tests/api.rs.)
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
password="een lange zin als wachtwoord"
"$bin" --data-dir "$data" init --preset westerveld >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
printf '%s\n' "$password" \
    | "$bin" --data-dir "$data" user add --name "Greet Griffier" --email "$email" \
        --role griffier --role raadslid --duty beheerder >/dev/null
token=$("$bin" --data-dir "$data" token create --email "$email" --scope admin --days 1 --name schemathesis)
# A token for each operation of the document (docs/openapi.json is the served one: a test
# holds them equal), as "METHOD path<TAB>token" lines.
python3 - docs/openapi.json >"$work/operations" <<'PY'
import json, sys
for path, item in json.load(open(sys.argv[1]))["paths"].items():
    for method in item:
        print(f"{method.upper()} {path}")
PY
while IFS= read -r operation; do
    printf '%s\t%s\n' "$operation" \
        "$("$bin" --data-dir "$data" token create --email "$email" --scope admin --days 1 --name "schemathesis $operation")"
done <"$work/operations" >"$work/tokens"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" --data-dir "$data" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!

python3 - "$base" "$token" "$work/tokens" "$work/schemathesis.toml" "$email" "$password" <<'PY'
import base64, hashlib, hmac, json, re, struct, sys, time, urllib.error, urllib.parse, urllib.request
base, token, tokens_file, config_file, email, password = sys.argv[1:7]
for _ in range(150):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("weerbaar serve did not come up")

# The griffier's role asks for a second factor, and without one her tokens read nothing
# (issue 14). She sets it up as anyone does: signing in on the pages and typing the app's
# code, which this script computes from the secret the page shows (RFC 6238).
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

pages = urllib.request.build_opener(NoRedirect)
cookies = {}

def page(path, fields=None):
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    data = None
    if fields is not None:
        data = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = base
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        answer = pages.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        answer = error
    # By hand rather than with a cookie jar: the cookies are Secure, and a jar would not
    # send them back over http://127.0.0.1 (a browser treats 127.0.0.1 as secure).
    for header in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return answer.getcode(), answer.headers.get("Location"), answer.read().decode(errors="replace")

def form_token(html):
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if not found:
        sys.exit("no form token on the page")
    return found.group(1)

def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)

_, _, html = page("/aanmelden")
status, location, html = page("/aanmelden", {"csrf": form_token(html), "terug": "/", "email": email, "password": password})
if status != 303 or location != "/aanmelden/tweede-factor":
    sys.exit(f"sign-in: expected the second factor's enrolment, got {status} {location}: {html[:300]}")
_, _, html = page("/aanmelden/tweede-factor")
secret = re.search(r'<code class="wb-secret">([^<]+)</code>', html)
if not secret:
    sys.exit("enrolment: no secret on the page")
status, location, html = page("/aanmelden/tweede-factor", {"csrf": form_token(html), "code": totp(secret.group(1).replace(" ", ""))})
if status == 303 and location:
    status, location, html = page(location)
if "Uw herstelcodes" not in html:
    sys.exit(f"enrolment: no recovery codes after the code ({status} {location})")

def call(method, path, body=None, content_type="application/json"):
    data = None
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    request = urllib.request.Request(base + "/api/v1" + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")

def moment(hours_ago):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600 * hours_ago))

me = call("GET", "/me")["person"]
case = call("POST", "/reports", {
    "behaviours": ["dreigen_met_geweld"],
    "occurred_at": moment(1),
    "channel": "sociale_media",
    "criminal_offence_suspected": True,
    "narrative": "Een bericht dat hij mij komt opzoeken.",
    "victim": {"role": "raadslid"},
    "perpetrator": {"kind": "persoon", "accounts": ["@boze_burger"]},
})["id"]
perpetrator = call("GET", f"/cases/{case}")["full"]["perpetrators"][0]["id"]
measure = call("POST", f"/cases/{case}/measures", {
    "measure": "schriftelijke_waarschuwing", "starts_on": time.strftime("%Y-%m-%d"),
})["item"]
aftercare = call("POST", f"/cases/{case}/aftercare", {
    "conversation": "eerste", "at": moment(-20), "by": me,
})["item"]
police = call("POST", f"/cases/{case}/police", {"kind": "melding", "at": moment(0)})["item"]
png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
boundary = "weerbaar-schemathesis"
multipart = (
    f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bericht.png\"\r\n"
    "Content-Type: image/png\r\n\r\n"
).encode() + png + f"\r\n--{boundary}--\r\n".encode()
evidence = call("POST", f"/cases/{case}/evidence", multipart,
                f"multipart/form-data; boundary={boundary}")["id"]
consult = call("POST", "/consults", {"role": "raadslid", "question": "Is dit een melding?"})["id"]

# The real ids per path parameter; `promote` gets the consult, `/access/{person}` me.
ids = {"case": case, "perpetrator": perpetrator, "evidence": evidence, "person": me}
items = {"measures": measure, "aftercare": aftercare, "police": police}
# Links between operations from the schema only. schemathesis 4.32.5 also infers links
# from the Location headers it meets; once the creations succeed (a report, a consult
# made a report, an evidence file), it infers links from POST /reports, /consults and
# /cases/{case}/promote to GET and POST /people with a `case` parameter that /people does
# not have, refuses them as invalid, and runs no stateful test at all.
lines = ["[phases.stateful.inference]", 'algorithms = ["dependency-analysis"]', ""]
for line in open(tokens_file):
    name, operation_token = line.rstrip("\n").split("\t")
    path = name.split(" ", 1)[1]
    parameters = {}
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            key = segment[1:-1]
            if key in ids:
                parameters[f"path.{key}"] = ids[key]
            elif key == "item":
                parameters["path.item"] = items[path.split("/")[3]]
    if path.endswith("/promote"):
        parameters["path.case"] = consult
    if path == "/protocol/evaluate":
        parameters["query.preset"] = "westerveld"
    if path == "/reports/yearly":
        # This year, which holds the report made above; the token's person is a
        # griffier, who may read the figures.
        parameters["query.year"] = int(time.strftime("%Y"))
    lines.append("[[operations]]")
    lines.append(f"include-name = {json.dumps(name)}")
    lines.append(f"headers = {{ Authorization = {json.dumps('Bearer ' + operation_token)} }}")
    if parameters:
        pairs = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in parameters.items())
        lines.append(f"parameters = {{ {pairs} }}")
    lines.append("")
open(config_file, "w").write("\n".join(lines))
print(f"real ids: case {case}, consult {consult}, measure {measure}, aftercare {aftercare}, "
      f"police {police}, evidence {evidence}, perpetrator {perpetrator}")
PY

echo "== schemathesis against $base/api/v1/openapi.json"
set +e
# From the throwaway folder: schemathesis keeps a cache (.schemathesis/) where it runs.
(cd "$work" && "$venv/bin/st" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
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
