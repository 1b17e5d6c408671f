#!/usr/bin/env bash
# Makes an OCI bundle (busybox-static root filesystem plus config.json) in DIR.
#
# Usage: make-bundle.sh DIR [--ocirc VERSION]
#   --ocirc VERSION  the config's ociVersion (default 1.0.2: Debian's crun 1.8.1
#                    rejects 1.2.0 and newer, and runc and Cocoon accept 1.0.2).
# The config follows `runc spec` defaults, except that the process has no
# terminal and runs `sh`, and the root is writable, so the bundle works
# unchanged for `run`, the benchmark and the integration tests.
set -euo pipefail

usage() { echo "usage: $0 DIR [--ocirc VERSION]" >&2; exit 2; }

dir=""
oci_version="1.0.2"
while (($#)); do
  case "$1" in
    --ocirc) (($# >= 2)) || usage; oci_version="$2"; shift 2 ;;
    --ocirc=*) oci_version="${1#--ocirc=}"; shift ;;
    -h|--help) usage ;;
    -*) echo "make-bundle: unknown option $1" >&2; usage ;;
    *) [[ -z "$dir" ]] || usage; dir="$1"; shift ;;
  esac
done
[[ -n "$dir" ]] || usage

busybox=""
for candidate in /bin/busybox /usr/bin/busybox; do
  if [[ -x "$candidate" ]] && file -L "$candidate" 2>/dev/null | grep -q 'statically linked'; then
    busybox="$candidate"
    break
  fi
done
# `file` may be missing; fall back to any busybox and trust it is the static one.
if [[ -z "$busybox" ]]; then
  busybox="$(command -v busybox || true)"
fi
[[ -n "$busybox" ]] || { echo "make-bundle: busybox not found (apt-get install busybox-static)" >&2; exit 1; }

rootfs="$dir/rootfs"
mkdir -p "$rootfs"
for d in bin sbin usr/bin usr/sbin etc root tmp proc sys dev var/run; do
  mkdir -p "$rootfs/$d"
done
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"

install -m 0755 "$busybox" "$rootfs/bin/busybox"
# The same links `busybox --install -s` makes, but inside the rootfs and
# pointing at the container's own /bin/busybox.
# One process for all ~270 links (perl is in every Debian install); forking
# `ln` per applet takes seconds on a loaded machine.
if command -v perl >/dev/null; then
  "$busybox" --list-full | ROOTFS="$rootfs" perl -ne 'chomp; next if $_ eq "bin/busybox";
    my $link = "$ENV{ROOTFS}/$_"; unlink $link;
    symlink("/bin/busybox", $link) or die "make-bundle: symlink $link: $!\n";'
else
  "$busybox" --list-full | while read -r applet; do
    [[ "$applet" == "bin/busybox" ]] && continue
    ln -sfn /bin/busybox "$rootfs/$applet"
  done
fi

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF
echo "cocoon" >"$rootfs/etc/hostname"

cat >"$dir/config.json" <<EOF
{
  "ociVersion": "$oci_version",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["sh"],
    "env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm"
    ],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "cocoon",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": ["nosuid", "noexec", "nodev", "ro"] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": ["nosuid", "noexec", "nodev", "relatime", "ro"] }
  ],
  "linux": {
    "resources": { "devices": [{ "allow": false, "access": "rwm" }] },
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": [
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"
    ],
    "readonlyPaths": [
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
    ]
  }
}
EOF
echo "$dir"
