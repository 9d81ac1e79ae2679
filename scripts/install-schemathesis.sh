#!/usr/bin/env bash
# Installs schemathesis (the OpenAPI fuzzer of `npm run test:contract`) from PyPI into .tools/schemathesis-venv.
# Skips the install when that venv already holds the pinned version. The version is pinned: it is the one the
# contract suite was triaged with (docs/decisions.md, issue 10); a newer one may add checks or change their verdicts.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.32.5
VENV=.tools/schemathesis-venv
if [ -x "$VENV/bin/st" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
"$VENV/bin/st" --version
