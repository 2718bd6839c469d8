#!/usr/bin/env bash
# Python set-up: installs what is missing (scripts/setup.sh), makes .venv with
# Debian's /usr/bin/python3 (numpy and pytest come from the system packages)
# and pip-installs etch into it from this checkout (CMake builds the bindings
# in build-python/). Then: . .venv/bin/activate && python3 -c "import etch"
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[[ -x .venv/bin/python3 ]] || /usr/bin/python3 -m venv --system-site-packages .venv
.venv/bin/python3 -m pip install --no-build-isolation --no-index --quiet .
.venv/bin/python3 -c "import etch; print('etch', etch.__version__, 'installed in .venv')"
