#!/usr/bin/env bash
# Installs Debian packages a heavy test needs, when what they provide is missing:
#   scripts/apt_install.sh '/usr/bin/chromium' chromium fonts-dejavu-core fonts-liberation
#   scripts/apt_install.sh '/usr/lib/postgresql/*/bin/initdb' postgresql
# The first argument is a path (a glob) that exists once they are installed. Idempotent
# and quiet: prints nothing when it exists or gets installed; on failure prints apt's
# output and exits non-zero. Needs root or password-less sudo.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: apt_install.sh PATH-GLOB PACKAGE..." >&2
    exit 2
fi
WANTED=$1
shift
PACKAGES=("$@")

present() {
    compgen -G "$WANTED" >/dev/null
}

if present; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt_install.sh: no apt-get here; install ${PACKAGES[*]} by hand (for $WANTED)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "apt_install.sh: need root (or password-less sudo) to apt-get install ${PACKAGES[*]}" >&2
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
        echo "apt_install.sh: apt-get could not install ${PACKAGES[*]}:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
fi

if ! present; then
    echo "apt_install.sh: ${PACKAGES[*]} installed but $WANTED is missing" >&2
    exit 1
fi
