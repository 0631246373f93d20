#!/usr/bin/env bash
# `make audit`: checks the exact pins of requirements.txt against published advisories with
# pip-audit. It needs the advisory data: PyPI's JSON API (the default service) or OSV
# (AUDIT_SERVICE=osv). A machine that reaches only a package index (as the project's
# development and CI machines do) has neither, and the run fails with that said plainly.
#
# pip-audit lives in var/audit-venv (exact pins; made here when missing or when the pins
# change), apart from .venv so Rasa's pins never meet its own. --strict: a pin that could not
# be looked up fails the run; without it pip-audit reports "No known vulnerabilities found"
# after skipping every package it could not reach.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=var/audit-venv
PINS=(
  boolean.py==5.0 CacheControl==0.14.4 certifi==2026.10.19.post1 charset-normalizer==3.5.3
  cyclonedx-python-lib==11.12.0 defusedxml==0.7.1 filelock==4.3.1 idna==3.20 license-expression==30.4.4
  markdown-it-py==4.3.0 mdurl==0.1.2 msgpack==1.2.4 packageurl-python==0.17.6 packaging==26.4
  pip-requirements-parser==32.0.1 pip_api==0.0.35 pip_audit==2.10.1 platformdirs==4.14.8
  py-serializable==2.2.0 Pygments==2.21.0 pyparsing==3.3.3 requests==2.34.2 rich==15.0.0
  sortedcontainers==2.4.0 tomli==2.5.0 tomli_w==1.2.0 typing_extensions==4.16.0 urllib3==2.8.0
)
SERVICE=${AUDIT_SERVICE:-pypi}

stamp=$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -c1-16)
if ! [ -x "$VENV/bin/pip-audit" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$stamp" ]; then
  command -v python3 >/dev/null || { echo "audit: python3 is needed to make $VENV" >&2; exit 1; }
  echo "Creating $VENV (pip-audit with exact pins, once)..."
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${PINS[@]}"
  echo "$stamp" >"$VENV/.pins"
fi

start=$(date +%s)
status=0
"$VENV/bin/pip-audit" --strict --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "$SERVICE" -r requirements.txt "$@" || status=$?
if [ "$status" -ne 0 ]; then
  cat >&2 <<MSG
make audit: FAILED after $(( $(date +%s) - start )) s (service: $SERVICE). Either an advisory above
matches a pin, or the advisory data could not be reached ("could not be audited", or a
connection error): then run it on a machine with internet access, or try AUDIT_SERVICE=osv.
MSG
  exit "$status"
fi
echo "make audit: no known advisories for the pins in requirements.txt ($(( $(date +%s) - start )) s, service: $SERVICE)."
