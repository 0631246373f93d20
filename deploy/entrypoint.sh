#!/usr/bin/env bash
# The clinic image's entry point: `entrypoint.sh ROLE [more arguments for that server]`.
#   rasa     a Rasa server: REST webhook and HTTP API on :5005 (two or more behind nginx)
#   actions  the action server on :5055
#   console  the staff console on :8081
#   page     the demo clinic page with the chat widget on :8080
# The commands are the ones `make cluster` runs (ops/servers.py, ops/cluster.py), bound to
# every interface. Settings come from the environment (deploy/.env.example lists them); a
# missing one stops the container at once, by name, instead of a server failing later.
set -euo pipefail
cd "$(dirname "$0")/.."  # the project root: /app in the image

role=${1:-}
[ $# -gt 0 ] && shift
python=${PYTHON:-python}
# The folder every container shares: the clinic files staff edit, the models, go-live's
# history (deploy/clinic_content.py says why). The image sets the same paths for `docker exec`.
content=${CLINIC_CONTENT_DIR:-/srv/clinic}
export CLINIC_SETTINGS=${CLINIC_SETTINGS:-$content/project/clinic.yml}
export CLINIC_MESSAGES=${CLINIC_MESSAGES:-$content/project/messages.yml}

need() {
  local name missing=()
  for name in "$@"; do
    [ -n "${!name:-}" ] || missing+=("$name")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: the $role role needs ${missing[*]} in its environment (see deploy/.env.example)" >&2
    exit 64
  fi
}

case "$role" in
  rasa)
    # deploy/endpoints.yml reads the ACTION_SERVER_* and REDIS_* values.
    need RASA_AUTH_TOKEN TRACKER_DB_URL CLINIC_DB_URL CORS_ORIGINS ACTION_SERVER_URL ACTION_SERVER_TOKEN \
      REDIS_HOST REDIS_PORT REDIS_DB REDIS_PASSWORD
    "$python" deploy/clinic_content.py seed "$content"
    model=$("$python" deploy/clinic_content.py live-model "$content")
    # As ops/servers.py starts Rasa: one message's TensorFlow ops are too small for thread
    # pools, and fewer malloc arenas keep the resident size down.
    export TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1 MALLOC_ARENA_MAX=2
    # As ops/cluster.py: a killed server's hold on a conversation runs out in 10 s, not Rasa's 60.
    export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"
    read -r -a cors <<<"$CORS_ORIGINS" # space-separated origins; "*" must not meet the shell's globbing
    exec "$python" -m rasa run --enable-api --auth-token="$RASA_AUTH_TOKEN" --interface=0.0.0.0 \
      --port="${RASA_PORT:-5005}" --model="$model" --endpoints=deploy/endpoints.yml \
      --credentials=credentials.yml --cors "${cors[@]}" "$@"
    ;;
  actions)
    need ACTION_SERVER_TOKEN CLINIC_DB_URL
    "$python" deploy/clinic_content.py seed "$content"
    export SANIC_HOST=${SANIC_HOST:-0.0.0.0} # rasa-sdk's bind address
    exec "$python" -m rasa run actions --actions=actions --port="${ACTION_PORT:-5055}" "$@"
    ;;
  console)
    # RASA_URL: the API through nginx; RASA_SERVER_URLS: each Rasa server's own address,
    # so go-live loads a new model into every one of them, not only into the one nginx picks.
    need CLINIC_DB_URL TRACKER_DB_URL RASA_URL RASA_AUTH_TOKEN RASA_SERVER_URLS STAFF_CONSOLE_SECRET
    "$python" deploy/clinic_content.py seed "$content"
    # Staff edit, train and test the shared copy; go-live's history goes beside it, where a
    # restarting Rasa server finds which model is live.
    exec "$python" -m staff.console --host=0.0.0.0 --port="${STAFF_PORT:-8081}" \
      --root="$content/project" --state-dir="$content/state" "$@"
    ;;
  page)
    need RASA_PUBLIC_URL
    "$python" deploy/clinic_content.py seed "$content"
    exec "$python" deploy/page_server.py --port="${WEB_PORT:-8080}" "$@"
    ;;
  *)
    echo "usage: entrypoint.sh rasa|actions|console|page [arguments for that server]" >&2
    exit 64
    ;;
esac
