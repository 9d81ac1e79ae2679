#!/usr/bin/env bash
# Installs stripe-mock, Stripe's official mock of its API, into .tools/bin with `go install`: the tests and
# `npm start` with PAYMENT_PROVIDER=stripe run against it. Skips when the pinned version is already there.
# Pinned: v0.203.0 embeds API version 2026-08-26.dahlia, the one the `stripe` package (22.6.x) sends.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v0.203.0
MODULE=github.com/stripe/stripe-mock
BIN=.tools/bin/stripe-mock
# The binary calls itself "master" whatever its version (`-version`), so the version installed is kept beside it.
STAMP=$BIN.version

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  echo "stripe-mock $VERSION already in $BIN"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "install-stripe-mock: go not found; stripe-mock $VERSION is built from source with Go >= 1.22 (https://go.dev/dl/)" >&2
  exit 1
fi
# A binary built by hand from the same version only needs its stamp.
if [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null | grep -qE "^\s+mod\s+$MODULE\s+$VERSION\s"; then
  echo "$VERSION" >"$STAMP"
  echo "stripe-mock $VERSION already in $BIN (built from $MODULE@$VERSION); stamp written"
  exit 0
fi
rm -f "$STAMP"
mkdir -p .tools/bin
echo "building stripe-mock $VERSION into $BIN (go install, about a minute)"
GOBIN="$PWD/.tools/bin" go install "$MODULE@$VERSION"
echo "$VERSION" >"$STAMP"
echo "stripe-mock $VERSION installed in $BIN"
