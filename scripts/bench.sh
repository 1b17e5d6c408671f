#!/usr/bin/env bash
# Builds Cocoon (scripts/build.sh) and runs the lifecycle benchmark of cocoon,
# crun and runc. Needs root. Extra arguments go to lifecycle_bench, e.g.
#   scripts/bench.sh --iterations 50 --runtimes cocoon,crun
# Results: the table on stdout, JSON in bench/results/lifecycle.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dir=$(bash scripts/build.sh); then
  # Still compare crun and runc when the tree does not build as a whole;
  # the benchmark reports a missing cocoon binary.
  echo "bench: full build failed; building lifecycle_bench alone" >&2
  dir=build
  cmake --build "$dir" --target lifecycle_bench >&2
fi
exec "$dir/bench/lifecycle_bench" --cocoon "$dir/cocoon" "$@"
