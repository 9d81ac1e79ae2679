#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (`npm run test:browser`, driven by playwright-core, which never
# downloads a browser of its own). Skips when it is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
as_root apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
/usr/bin/chromium --version
