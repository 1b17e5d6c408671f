#!/usr/bin/env bash
# Runs the OCI runtime-tools validation suite against Cocoon and runc, side by
# side, and prints one row per test file. Needs root. Not part of the CI run.
#
# Usage: scripts/conformance.sh [COCOON_BINARY] [TEST_NAME...]
#   COCOON_BINARY  default build/cocoon
#   TEST_NAME      only these tests (e.g. create kill); default: all
# Environment:
#   RUNTIME_TOOLS_SRC  a runtime-tools source tree with validation/ and
#                      cmd/runtimetest/ (Debian's golang-github-opencontainers-
#                      runtime-tools-dev ships only the library packages, so
#                      point this at a checkout of the upstream repository).
#   RUNC               the reference runtime (default: runc on PATH; "none" skips it)
#   TEST_TIMEOUT       seconds per test file and runtime (default 120)
# Output: a table on stdout, TAP logs in build-conformance/logs/<runtime>/,
# and bench/results/conformance.json.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

cocoon="${1:-build/cocoon}"
shift || true
only=("$@")
cocoon=$(readlink -f "$cocoon")
[[ -x "$cocoon" ]] || { echo "conformance: $cocoon is not executable (build it first)" >&2; exit 1; }
runc="${RUNC:-$(command -v runc || echo none)}"
timeout_s="${TEST_TIMEOUT:-120}"
[[ $(id -u) == 0 ]] || { echo "conformance: needs root" >&2; exit 1; }

# Debian packages: the Go toolchain and the suite's library dependencies.
need=()
for pkg in golang-go golang-github-opencontainers-runtime-tools-dev golang-github-google-uuid-dev \
  golang-gocapability-dev golang-golang-x-sys-dev golang-github-hashicorp-go-multierror-dev \
  golang-github-urfave-cli-dev golang-github-sirupsen-logrus-dev golang-github-mrunalp-fileutils-dev \
  busybox-static; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2
fi

gocode=/usr/share/gocode/src
src="${RUNTIME_TOOLS_SRC:-$gocode/github.com/opencontainers/runtime-tools}"
if [[ ! -d "$src/validation" || ! -d "$src/cmd/runtimetest" ]]; then
  echo "conformance: $src has no validation/ or cmd/runtimetest/; Debian ships only the" >&2
  echo "  library; set RUNTIME_TOOLS_SRC to a runtime-tools checkout" >&2
  exit 1
fi

out="$repo/build-conformance"
mkdir -p "$out"
gopath=$(mktemp -d /tmp/cocoon-conformance-gopath.XXXXXX)
trap 'rm -rf "$gopath"' EXIT
# GOPATH mode: the suite's source over Debian's copy of the library, and the
# small TAP writer the suite imports (not packaged by Debian).
rt="$gopath/src/github.com/opencontainers/runtime-tools"
mkdir -p "$rt" "$gopath/src/github.com/mndrix"
cp -r "$gocode/github.com/opencontainers/runtime-tools/." "$rt/"
cp -r "$src/validation" "$src/cmd" "$rt/"
for d in "$src"/*/; do
  [[ -e "$rt/$(basename "$d")" ]] || cp -r "$d" "$rt/"
done
if [[ ! -d "$gocode/github.com/mndrix/tap-go" ]]; then
  cp -r "$repo/scripts/conformance/tap-go" "$gopath/src/github.com/mndrix/tap-go"
fi
export GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
export GOCACHE="${GOCACHE:-$out/.gocache}"

echo "conformance: building runtimetest and the validation tests into $out" >&2
(cd "$rt" && go build -tags "netgo osusergo" -o "$out/runtimetest" ./cmd/runtimetest)
tests=()
for dir in "$rt"/validation/*/; do
  name=$(basename "$dir")
  [[ "$name" == util ]] && continue
  ls "$dir"*.go >/dev/null 2>&1 || continue
  if ((${#only[@]})) && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  (cd "$rt" && go build -o "$out/$name.t" "./validation/$name") || { echo "conformance: $name does not build" >&2; continue; }
  tests+=("$name")
done

# The suite untars rootfs-<arch>.tar.gz from its working directory into each
# bundle: a busybox-static root, as upstream's.
rootfs_tar="$out/rootfs-$(go env GOARCH).tar.gz"
if [[ ! -f "$rootfs_tar" ]]; then
  r=$(mktemp -d)
  mkdir -p "$r"/{bin,dev,etc,proc,sys,tmp,root,mnt}
  cp "$(command -v busybox)" "$r/bin/busybox"
  for applet in $("$r/bin/busybox" --list); do
    [[ -e "$r/bin/$applet" ]] || ln -s busybox "$r/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
  echo 'root:x:0:' > "$r/etc/group"
  chmod 1777 "$r/tmp"
  tar -C "$r" -czf "$rootfs_tar" .
  rm -rf "$r"
fi

runtimes=(cocoon)
[[ "$runc" != none ]] && runtimes=(runc cocoon)
declare -A bin=([cocoon]="$cocoon" [runc]="$runc")
for rtname in "${runtimes[@]}"; do mkdir -p "$out/logs/$rtname"; done

for name in "${tests[@]}"; do
  for rtname in "${runtimes[@]}"; do
    log="$out/logs/$rtname/$name.tap"
    set +e
    (cd "$out" && RUNTIME="${bin[$rtname]}" timeout -k 10 "$timeout_s" "./$name.t" >"$log" 2>"$log.stderr")
    echo $? >"$log.rc"
    set -e
  done
  echo "conformance: ran $name" >&2
done

mkdir -p "$repo/bench/results"
python3 - "$out" "$repo/bench/results/conformance.json" "${runtimes[*]}" "${tests[@]}" <<'PY'
import json, re, sys
out, json_path, runtimes, tests = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]

def judge(path):
    """TAP verdict: exit 0, a plan that matches the results, no 'not ok'
    outside TODO. Failing assertions are the 'not ok' lines and, for tests
    that only report through YAML, their 'error' entries."""
    text = open(path, errors="replace").read()
    rc = int(open(path + ".rc").read().strip() or 1)
    stderr = open(path + ".stderr", errors="replace").read().strip()
    fails, count, plan = [], 0, None
    for line in text.splitlines():
        m = re.match(r"^(not ok|ok)\b\s*\d*\s*(?:-\s*)?(.*)$", line)
        if m:
            count += 1
            if m.group(1) == "not ok" and "# TODO" not in line:
                fails.append(m.group(2).strip())
            continue
        m = re.match(r"^1\.\.(\d+)", line)
        if m:
            plan = int(m.group(1))
    if count == 0:  # tests that report only through YAML diagnostics
        for m in re.finditer(r'"error":\s*"((?:[^"\\]|\\.)*)"', text):
            fails.append("diagnostic: " + json.loads('"%s"' % m.group(1)).splitlines()[0])
    ok = rc == 0 and plan is not None and plan == count and not any(not f.startswith("diagnostic:") for f in fails)
    if rc == 124 or rc == 137:
        fails.append("timeout")
    elif rc != 0:
        fails.append("exit %d: %s" % (rc, stderr.splitlines()[-1] if stderr else ""))
    elif plan is None:
        fails.append("no TAP plan")
    elif plan != count:
        fails.append("plan 1..%d but %d results" % (plan, count))
    return {"pass": ok, "exit": rc, "results": count, "failing": fails}

rows, summary = [], {r: 0 for r in runtimes}
for t in tests:
    row = {"test": t}
    for r in runtimes:
        row[r] = judge("%s/logs/%s/%s.tap" % (out, r, t))
        summary[r] += row[r]["pass"]
    rows.append(row)

def cell(v): return "pass" if v["pass"] else "FAIL"
header = "%-38s %s  %s" % ("test", "  ".join("%-6s" % r for r in runtimes), "cocoon failing assertions")
print(header)
print("-" * len(header))
for row in rows:
    fails = row["cocoon"]["failing"]
    note = "; ".join(fails[:3]) + (" (+%d more)" % (len(fails) - 3) if len(fails) > 3 else "")
    print("%-38s %s  %s" % (row["test"], "  ".join("%-6s" % cell(row[r]) for r in runtimes), note[:160]))
print()
print("summary: " + ", ".join("%s passes %d of %d" % (r, summary[r], len(tests)) for r in runtimes))
both = [row["test"] for row in rows if "runc" in row and row["runc"]["pass"] and not row["cocoon"]["pass"]]
if both:
    print("runc passes, cocoon fails: " + " ".join(both))
json.dump({"runtimes": runtimes, "summary": summary, "total": len(tests), "tests": rows},
          open(json_path, "w"), indent=2)
print("wrote " + json_path)
PY
