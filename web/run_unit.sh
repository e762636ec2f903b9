#!/usr/bin/env bash
# Type-checks the web app and runs its component and logic tests.
set -euo pipefail
cd "$(dirname "$0")"
node node_modules/vue-tsc/bin/vue-tsc.js --noEmit
node node_modules/vitest/vitest.mjs run --reporter=dot
