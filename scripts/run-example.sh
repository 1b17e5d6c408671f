#!/usr/bin/env bash
# Sets up the machine, builds Cocoon, makes a busybox bundle and runs a
# container in it: `run-example.sh [COMMAND...]` (default: a short greeting);
# COCOON_PLATFORM=ptrace runs it in the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh)
bundle=$(mktemp -d /tmp/cocoon-example.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
bash scripts/make-bundle.sh "$bundle"
if (($#)); then
  python3 - "$bundle/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
spec = json.load(open(path))
spec["process"]["args"] = args
json.dump(spec, open(path, "w"), indent=2)
PY
else
  python3 - "$bundle/config.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["process"]["args"] = ["sh", "-c", "echo Hello from a Cocoon container; uname -n; id; ls /"]
json.dump(spec, open(sys.argv[1], "w"), indent=2)
PY
fi
status=0
"$dir/cocoon" --platform "${COCOON_PLATFORM:-native}" run --bundle "$bundle" "example-$$" || status=$?
exit $status
