#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root), then returns; each step is skipped
# when already done. README's test command is `tools/test-setup.sh && mvn -B verify`; .ci/run runs it too.
# - Fashion-MNIST from Debian's dataset-fashion-mnist (the tests train on the real data)
# - Python's mlflow on the PATH (the tests start real tracking servers on 127.0.0.1)
# - Debian's postgresql binaries (StackIT starts its own server; no cluster is created)
# - MLflow's pinned environment in /opt/nin-stack-venv, as docker/mlflow/Dockerfile installs it (StackIT)
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  echo "== installing Fashion-MNIST (Debian's dataset-fashion-mnist)"
  apt-get update -qq
  apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

if ! command -v mlflow >/dev/null 2>&1; then
  echo "== installing MLflow (the tests start real tracking servers on 127.0.0.1)"
  python3 -m pip install -q "mlflow==3.17.2"
fi
mlflow --version

# StackIT runs the local stack's own definitions without Docker: PostgreSQL from Debian's binaries and
# MLflow from a virtual environment made exactly as docker/mlflow/Dockerfile installs it.
if ! dpkg -s postgresql >/dev/null 2>&1; then
  echo "== installing PostgreSQL (Debian's postgresql; StackIT starts its own server in a temporary folder)"
  # No default cluster: it would start on port 5432 and serve nothing; StackIT makes its own on a free port.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/nin-ci.conf
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
ls -d /usr/lib/postgresql/*/bin/initdb

STACK_VENV=/opt/nin-stack-venv
pins() { grep -E '^[A-Za-z0-9_.-]+==' | LC_ALL=C sort -f; }
if [[ ! -x "$STACK_VENV/bin/python" ]] \
    || ! diff -q <(pins <docker/mlflow/constraints.txt) <("$STACK_VENV/bin/python" -m pip freeze | pins) >/dev/null; then
  echo "== MLflow's pinned environment for StackIT ($STACK_VENV, from docker/mlflow/constraints.txt)"
  # The constraints were frozen on the image's Python 3.11 (docker/mlflow/Dockerfile).
  PYTHON="$(command -v python3.11 || command -v python3)"
  if [[ "$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != 3.11 ]]; then
    echo "StackIT's MLflow: expected Python 3.11 (the image's), found $("$PYTHON" --version 2>&1) at $PYTHON" >&2
    exit 1
  fi
  if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$STACK_VENV"
  "$PYTHON" -m venv "$STACK_VENV"
  "$STACK_VENV/bin/pip" install -q -c docker/mlflow/constraints.txt mlflow psycopg2-binary
fi
