#!/usr/bin/env python3
"""Signs a person in to a running Weerbaar the way a browser does (password, then the
second factor, enrolling it when asked) and prints `cookie<TAB>csrf` for a load test.

Usage: signin.py BASE_URL EMAIL PASSWORD SECRET_FILE
SECRET_FILE keeps the person's TOTP secret (base32) between runs: written at enrolment,
read at later sign-ins. Only the standard library: runs anywhere Python 3 does."""

import base64
import hashlib
import hmac
import http.cookiejar
import re
import struct
import sys
import time
import urllib.parse
import urllib.request


def totp(secret_b32: str, at: float) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def main() -> None:
    base, email, password, secret_file = sys.argv[1:5]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path):
        with opener.open(base + path) as response:
            return response.geturl(), response.read().decode()

    def post(path, fields):
        data = urllib.parse.urlencode(fields).encode()
        with opener.open(urllib.request.Request(base + path, data=data)) as response:
            return response.geturl(), response.read().decode()

    def csrf(page):
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    _, page = get("/aanmelden")
    url, page = post("/aanmelden", {"csrf": csrf(page), "email": email, "password": password, "terug": "/"})
    if "/aanmelden/tweede-factor" in url:
        secret = re.search(r'<code class="wb-secret">([^<]+)</code>', page).group(1).replace(" ", "")
        with open(secret_file, "w") as out:
            out.write(secret)
        url, page = post("/aanmelden/tweede-factor", {"csrf": csrf(page), "code": totp(secret, time.time())})
    elif "/aanmelden/code" in url:
        with open(secret_file) as source:
            secret = source.read().strip()
        url, page = post("/aanmelden/code", {"csrf": csrf(page), "code": totp(secret, time.time()), "terug": "/"})
    _, page = get("/")
    session = next(c.value for c in jar if c.name == "weerbaar_sessie")
    print(f"weerbaar_sessie={session}\t{csrf(page)}")


if __name__ == "__main__":
    main()
