#!/usr/bin/env bash
# Builds Cocoon (scripts/build.sh) and runs the lifecycle benchmark of cocoon
# (native and --platform=ptrace), crun and runc, then the sandbox benchmark.
# Needs root. Extra arguments go to lifecycle_bench, e.g.
#   scripts/bench.sh --iterations 50 --runtimes cocoon,crun
# Results: tables on stdout, JSON in bench/results/{lifecycle,sandbox}.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dir=$(bash scripts/build.sh); then
  # Still compare crun and runc when the tree does not build as a whole;
  # the benchmark reports a missing cocoon binary.
  echo "bench: full build failed; building lifecycle_bench alone" >&2
  dir=build
  cmake --build "$dir" --target lifecycle_bench >&2
fi
"$dir/bench/lifecycle_bench" --cocoon "$dir/cocoon" "$@"
# The sandbox's cost per guest operation (getpid, open/read/close, fork+exec+wait).
exec "$dir/bench/sandbox_bench" --cocoon "$dir/cocoon"
