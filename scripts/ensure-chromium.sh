#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing and we may install packages (root).
# Without it the browser tests skip with a message (and fail when REQUIRE_BROWSER=1, as in CI).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium from Debian's packages for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
else
  echo "Chromium not found (/usr/bin/chromium) and not root: browser tests will be skipped." >&2
fi
