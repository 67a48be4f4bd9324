#!/usr/bin/env bash
# Sets up, builds, and serves the demo site on http://127.0.0.1:${PORT:-5173}/web/demo/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node web/serve.mjs "${PORT:-5173}"
