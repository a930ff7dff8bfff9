#!/usr/bin/env bash
# Peer benchmark: Optuna's TPE and random samplers on the synthetic objectives nin's tuner is
# measured on (branin, hartmann6, noisy-branin; see optuna_tpe.py beside this file).
#
# This is a benchmark for the comparison in docs/performance.md, never a test dependency: nothing in the build,
# the tests or CI runs it.
#
# What it downloads: on first use it creates a Python virtual environment (default
# $HOME/.cache/nin-peers/optuna-venv, or $NIN_PEER_OPTUNA_VENV) and installs the pinned optuna from
# PyPI into it, with its dependencies (numpy, sqlalchemy, alembic, colorlog, tqdm, PyYAML, packaging,
# Mako, MarkupSafe, typing_extensions): about 140 MB on disk, about ten seconds to install here.
# Later runs reuse the environment; delete the folder to reclaim the space.
#
# Usage: bench/peers/run-optuna.sh [optuna_tpe.py flags, e.g. --seeds 5 --objectives branin]
set -euo pipefail

OPTUNA_VERSION="5.1.0"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${NIN_PEER_OPTUNA_VENV:-$HOME/.cache/nin-peers/optuna-venv}"
PY="$VENV/bin/python"

if [[ ! -x "$PY" ]]; then
  echo "run-optuna: creating the virtual environment $VENV" >&2
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
fi

installed="$("$PY" -c 'import importlib.metadata as m; print(m.version("optuna"))' 2>/dev/null || true)"
if [[ "$installed" != "$OPTUNA_VERSION" ]]; then
  echo "run-optuna: installing optuna==$OPTUNA_VERSION from PyPI into $VENV ..." >&2
  start=$SECONDS
  "$PY" -m pip install --disable-pip-version-check -q "optuna==$OPTUNA_VERSION" >&2
  echo "run-optuna: installed in $((SECONDS - start)) s" >&2
fi

exec "$PY" "$HERE/optuna_tpe.py" "$@"
