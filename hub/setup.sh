#!/usr/bin/env bash
# The class hub's environment (`make hub-env`; root): every part of it readable by the
# Unix users the hub serves.
#
#   hub/python         a copy of the course's interpreter, when the interpreter's own folder
#                      is closed to other users (pyenv under /root, mode 0700); its RUNPATH
#                      made relative with patchelf
#   hub/.venv          requirements.lock, the course package, hub/requirements.txt (JupyterHub 5)
#   hub/node_modules   configurable-http-proxy, at the version of hub/package-lock.json
set -euo pipefail
HUB=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HUB")
if [ "$(id -u)" != 0 ]; then
  echo "the class hub needs root (one Unix user per student, LocalProcessSpawner)" >&2
  exit 1
fi
if ! runuser -u nobody -- test -r "$REPO/course/__init__.py"; then
  echo "other users cannot read $REPO: the students' servers and the grader account run from it;" \
       "put the course in a folder every user can enter (for example /srv or /opt)" >&2
  exit 1
fi
PY=$(readlink -f "$REPO/.venv/bin/python3")  # the course's own interpreter (make install)
PREFIX=$("$PY" -c 'import sys; print(sys.base_prefix)')
VER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

if runuser -u nobody -- "$PY" -c "pass" 2>/dev/null; then
  BASE_PY=$PY
else
  BASE_PY=$HUB/python/bin/python$VER
  if ! runuser -u nobody -- "$BASE_PY" -c "pass" 2>/dev/null; then
    echo "$PY cannot be run by other users: copying $PREFIX (without its packages) to $HUB/python"
    command -v patchelf >/dev/null || { apt-get update -qq && apt-get install -y -qq patchelf; }
    rm -rf "$HUB/python" && mkdir -p "$HUB/python"
    tar -C "$PREFIX" --exclude="./lib/python$VER/site-packages/*" --exclude="./lib/python$VER/test" \
        --exclude='__pycache__' -cf - . | tar -C "$HUB/python" -xf -
    # pyenv links libpython by an absolute RUNPATH into its own folder
    patchelf --set-rpath '$ORIGIN/../lib' "$BASE_PY"
    chmod -R a+rX "$HUB/python"
  fi
fi

if ! "$HUB/.venv/bin/python" -c "pass" 2>/dev/null; then
  rm -rf "$HUB/.venv"
  "$BASE_PY" -m venv "$HUB/.venv"
fi
pip=("$HUB/.venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" -r "$REPO/requirements.lock" -r "$HUB/requirements.txt"
"${pip[@]}" --no-deps -e "$REPO"  # the sandbox binds the course package where it lies
# JupyterLab's defaults for the course, as `make install` sets them (no news pop-up)
mkdir -p "$HUB/.venv/share/jupyter/lab/settings"
cp "$REPO/lab/overrides.json" "$HUB/.venv/share/jupyter/lab/settings/overrides.json"
(cd "$HUB" && npm ci --silent --no-audit --no-fund)
chmod -R a+rX "$HUB/.venv" "$HUB/node_modules"
echo "hub environment ready: $HUB/.venv (JupyterHub $("$HUB/.venv/bin/jupyterhub" --version))," \
     "configurable-http-proxy $("$HUB/node_modules/.bin/configurable-http-proxy" --version)"
