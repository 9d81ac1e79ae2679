#!/usr/bin/env bash
# Builds the full Temporal server and its SQL schema tool from their Go module into .tools/temporal-server/<version>,
# for `npm run cluster` (the production topology on one machine: PostgreSQL persistence, several workers and APIs).
# Skips what is already built. Cold: about 6 minutes on 2 cores; the Go toolchain the module needs (>= 1.26.10) is
# fetched through the module proxy by GOTOOLCHAIN=auto.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.32.2
MODULE=go.temporal.io/server
DIR=.tools/temporal-server/$VERSION
export GOTOOLCHAIN=auto

if ! command -v go >/dev/null; then
  echo "install-temporal-server: go not found; the Temporal server $VERSION is built from source with Go (https://go.dev/dl/)" >&2
  exit 1
fi
mkdir -p "$DIR"
build() { # <binary name> <package>; go install names the binary after the package's last element
  if [ -x "$DIR/$1" ] && go version -m "$DIR/$1" 2>/dev/null | grep -qE "^\s+mod\s+$MODULE\s+$VERSION\s"; then
    echo "$1 $VERSION already in $DIR"
    return
  fi
  echo "building $1 ($MODULE $VERSION) into $DIR"
  local started=$SECONDS
  GOBIN="$PWD/$DIR" go install "$MODULE/$2@$VERSION"
  local built="$DIR/$(basename "$2")"
  [ "$built" = "$DIR/$1" ] || mv "$built" "$DIR/$1"
  echo "built $1 in $((SECONDS - started)) s"
}
build server cmd/server
build temporal-sql-tool cmd/tools/sql
# The schemas and example configs ship in the module source, read in place.
SRC="$(go env GOMODCACHE)/$MODULE@$VERSION"
ln -sfn "$SRC" "$DIR/source"
echo "Temporal server $VERSION in $DIR (source: $SRC)"
