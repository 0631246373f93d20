#!/usr/bin/env bash
# System packages the test suite needs beyond .venv, from Debian's packages when missing:
#   postgresql: server binaries for the bookings store's contract tests;
#   chromium:   the browser the widget tests drive (Playwright's own download can't work here);
#   redis-server, nginx: the cluster test's lock store and load balancer (ensure_cluster_deps.sh);
#   nodejs/npm: to install axe-core (package.json), which checks the widget against WCAG 2.1 AA.
# Fails loudly when they are missing and can't be installed: tests never skip for them.
set -euo pipefail
cd "$(dirname "$0")/.."

install_axe() {
  # The exact version in package-lock.json, from the npm registry; a second run does nothing.
  [ -f node_modules/axe-core/axe.min.js ] && return 0
  echo "Installing axe-core for the accessibility checks (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  [ -f node_modules/axe-core/axe.min.js ] || { echo "error: npm ci did not install axe-core" >&2; exit 1; }
}

scripts/ensure_cluster_deps.sh  # postgresql, redis-server, nginx: the cluster test runs make cluster
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && id postgres >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then install_axe; exit 0; fi
scripts/apt_install.sh "the tests" "${missing[@]}"
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { echo "error: postgresql installed but initdb not found" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "error: chromium installed but /usr/bin/chromium not found" >&2; exit 1; }
echo "Installed: ${missing[*]}."
install_axe
