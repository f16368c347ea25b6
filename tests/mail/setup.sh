#!/usr/bin/env bash
# Makes target/mail-venv with a pinned aiosmtpd from PyPI, for the mail tests
# (crates/web/tests/mail.rs reads WB_MAIL_PYTHON, or target/mail-venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/../.."
AIOSMTPD_VERSION=1.4.6
venv=${WB_MAIL_VENV:-target/mail-venv}
if ! "$venv/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    echo "== virtualenv $venv with aiosmtpd $AIOSMTPD_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi
"$venv/bin/python" -c "import aiosmtpd; print('aiosmtpd', aiosmtpd.__version__)"
