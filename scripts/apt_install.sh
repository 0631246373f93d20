#!/usr/bin/env bash
# apt_install.sh WHAT PACKAGE...: install Debian packages as root or with passwordless sudo,
# or fail with the command to run by hand. WHAT says who needs them ("the tests", "make cluster").
set -euo pipefail
what=$1; shift
echo "Installing Debian packages for $what: $* (about a minute)..."
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "error: $what need(s) $*; install them (apt-get install $*) and rerun" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "$@" >/dev/null
