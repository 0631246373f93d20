#!/usr/bin/env bash
# Prints the path of a Python 3.8-3.10 interpreter (Rasa 3.6 supports no other), or fails
# with a clear message. $PYTHON overrides. pyenv's shims are skipped unless they really run:
# on these machines the bare `python3.10` shim fails unless PYENV_VERSION is set.
set -u
accept() { # accept PATH -> prints it and exits 0 if it runs and is 3.8-3.10
  local candidate=$1 version
  version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  case "$version" in 3.8|3.9|3.10) echo "$candidate"; exit 0 ;; esac
  return 1
}
if [ -n "${PYTHON:-}" ]; then
  accept "$PYTHON" || { echo "error: PYTHON=$PYTHON is not a working Python 3.8-3.10 (Rasa 3.6 needs one)" >&2; exit 1; }
fi
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for version_dir in "$root"/versions/3.10.* "$root"/versions/3.9.* "$root"/versions/3.8.*; do
    for exe in "$version_dir"/bin/python3.10 "$version_dir"/bin/python3.9 "$version_dir"/bin/python3.8; do
      [ -x "$exe" ] && accept "$exe"
    done
  done
fi
for name in python3.10 python3.9 python3.8 python3; do
  exe=$(command -v "$name" 2>/dev/null) && accept "$exe"
done
cat >&2 <<'MSG'
error: no Python 3.8, 3.9 or 3.10 found. Rasa Open Source 3.6 runs on those versions only.
Install one (for example `pyenv install 3.10.13`, or your system's python3.10 package), or
point to it with `make install PYTHON=/path/to/python3.10`.
MSG
exit 1
