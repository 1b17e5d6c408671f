#!/usr/bin/env bash
# Builds Cocoon into build/ (or build-asan/ with --asan). Prints the build dir.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == "--asan" ]]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=Debug -DCOCOON_SANITIZE=ON)
fi
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" >&2
echo "$dir"
