#!/usr/bin/env bash
# Installs Debian's Chromium (and fonts to draw text with) for the dashboard's browser
# test, when /usr/bin/chromium is missing. Idempotent and quiet: prints nothing when
# Chromium is there or gets installed; on failure prints apt's output and exits non-zero.
# Needs root or password-less sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PACKAGES=(chromium fonts-dejavu-core fonts-liberation)

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium.sh: no apt-get here; install Chromium as $CHROMIUM by hand" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install_chromium.sh: need root (or password-less sudo) to apt-get install ${PACKAGES[*]}" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive

install() {
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >"$log" 2>&1
}

if ! install; then
    # The package lists may be missing or stale: refresh them once and try again.
    if ! "${SUDO[@]}" apt-get update -qq >>"$log" 2>&1 || ! install; then
        echo "install_chromium.sh: apt-get could not install ${PACKAGES[*]}:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "install_chromium.sh: ${PACKAGES[0]} installed but $CHROMIUM is missing" >&2
    exit 1
fi
