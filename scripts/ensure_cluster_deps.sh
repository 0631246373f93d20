#!/usr/bin/env bash
# Debian packages `make cluster` (and its end-to-end test) runs beside Rasa, installed when missing:
#   postgresql:   the tracker store and the bookings store, shared by every Rasa server;
#   redis-server: Rasa's Redis lock store (one visitor's messages in order on any server);
#   nginx:        the load balancer in front of the Rasa servers, the page and the console.
# Fails loudly when they are missing and can't be installed.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && id postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
"$(dirname "$0")/apt_install.sh" "make cluster" "${missing[@]}"
command -v redis-server >/dev/null 2>&1 || { echo "error: redis-server installed but not found" >&2; exit 1; }
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "error: nginx installed but not found" >&2; exit 1; }
echo "Installed: ${missing[*]}."
