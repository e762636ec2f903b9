#!/usr/bin/env bash
# Runs one of ../shared/checks against the built binary; exit 77 (skipped) when absent.
set -u
check=$1; bin=$2
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${HOTLINE_SHARED_DIR:-$here/../shared}
if [[ ! -f $dir/checks/$check ]]; then
  echo "SKIP: $dir/checks/$check not found (the shared checks sit beside the checkout in CI)"
  exit 77
fi
case $check in
  *.py) exec python3 "$dir/checks/$check" "$bin" ;;
  *) exec bash "$dir/checks/$check" "$bin" ;;
esac
