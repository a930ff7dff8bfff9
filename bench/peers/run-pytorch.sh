#!/usr/bin/env bash
# Peer benchmark: PyTorch on the same NiN workload as `./nin bench` (see README.md beside this file).
#
# This is a benchmark for the comparison in docs/performance.md, never a test dependency: nothing in the build,
# the tests or CI runs it.
#
# What it downloads: on first use it creates a Python virtual environment (default
# $HOME/.cache/nin-peers/torch-venv, or $NIN_PEER_VENV) and installs the pinned torch wheel from
# PyPI into it. PyPI's Linux x86_64 torch wheel is the CUDA build: about 0.9 GB for torch itself plus
# several GB of nvidia-* CUDA 13 libraries (and triton, sympy, networkx, jinja2, filelock, fsspec):
# 5.3 GB on disk for torch 2.15.0, about two minutes to install here. Only the CPU is used. Later runs
# reuse the environment; delete the folder to reclaim the space.
#
# Usage: bench/peers/run-pytorch.sh [pytorch_nin.py flags, e.g. --resize 224,96 --rounds 3]
set -euo pipefail

TORCH_VERSION="2.15.0"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${NIN_PEER_VENV:-$HOME/.cache/nin-peers/torch-venv}"
PY="$VENV/bin/python"

if [[ ! -x "$PY" ]]; then
  echo "run-pytorch: creating the virtual environment $VENV" >&2
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
fi

installed="$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)"
if [[ "$installed" != "$TORCH_VERSION" ]]; then
  echo "run-pytorch: installing torch==$TORCH_VERSION from PyPI into $VENV (several GB, minutes) ..." >&2
  start=$SECONDS
  "$PY" -m pip install --disable-pip-version-check -q "torch==$TORCH_VERSION" >&2
  echo "run-pytorch: installed in $((SECONDS - start)) s" >&2
fi

exec "$PY" "$HERE/pytorch_nin.py" "$@"
