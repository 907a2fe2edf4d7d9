#!/usr/bin/env bash
# Create .venv and install framing with every optional part, offline-friendly.
# PyTorch is pinned (constraints.txt) so pip takes the CPU build already on the
# machine instead of pulling gigabytes of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
    -e '.[encoder,report,dask,annotate,dev]'
echo "framing installed in .venv ($(.venv/bin/framing --version 2>/dev/null || echo ok))" >&2
