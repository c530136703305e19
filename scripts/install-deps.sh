#!/usr/bin/env bash
# Installs the Debian packages named as arguments when any is missing. Needs root (or sudo) only then.
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Debian's prometheus packages start services on install where an init system runs; the tests start their own.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
