#!/usr/bin/env bash
# clone-memory.sh: the peak resident set of theta's filter while git clones a checkpoint of large tensors, each many
# chunks, so that the download and the writing of the file overlap (the clone's most memory-hungry path).
#
# A check, not a test (a clone of this size costs the suite too much; needs python3 with numpy). It writes a float32
# checkpoint of N matrices of 8192 x 4096 (128 MiB each, 8 chunks at the default 16 MiB), pushes it with theta to a
# fresh thetahost daemon, then clones it twice with the launcher's default memory settings (THETA_JAVA_OPTS is
# cleared), the filter run under GNU time through git's filter.theta.process setting. It checks each clone's file
# byte for byte and fails when the filter's peak RSS reaches the bound.
#
# Usage: bench/clone-memory.sh [--tensors N] [--bound-mib M] [--workdir DIR] [--keep]
#   --tensors N    matrices of 128 MiB (default 4; needs about 4 x 128 x N MiB of disk)
#   --bound-mib M  the filter's memory bound (default 512, the launcher's)
#
# Progress goes to stderr, the results to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"
theta_bin="$script_dir/../bin/theta"

usage() {
  awk '/^# Usage:/ { on = 1 } /^# Progress goes/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}
workdir=""
keep=0
tensors=4
bound_mib=512
while [ $# -gt 0 ]; do
  case "$1" in
    --tensors) tensors="${2:?--tensors needs a number}"; shift 2 ;;
    --bound-mib) bound_mib="${2:?--bound-mib needs a number}"; shift 2 ;;
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "clone-memory.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
[[ "$tensors" =~ ^[1-9][0-9]*$ ]] || { echo "clone-memory.sh: --tensors must be a positive number" >&2; exit 2; }
[[ "$bound_mib" =~ ^[1-9][0-9]*$ ]] || { echo "clone-memory.sh: --bound-mib must be a positive number" >&2; exit 2; }
python3 -c 'import numpy' 2>/dev/null || { echo "clone-memory.sh: python3 with numpy is needed" >&2; exit 2; }

bench="clone-memory"
source "$script_dir/lib/common.sh"
cleanup_hook() { stop_thetahost; }

log "writing $tensors float32 matrices of 8192 x 4096"
python3 - "$workdir/model.safetensors" "$tensors" <<'EOF'
import json, struct, sys, numpy as np
path, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
shape, nbytes = (8192, 4096), 8192 * 4096 * 4
header = {"big.%d.weight" % i: {"dtype": "F32", "shape": list(shape), "data_offsets": [i * nbytes, (i + 1) * nbytes]}
          for i in range(count)}
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for i in range(count):
        f.write((rng.standard_normal(shape, dtype=np.float32) * 0.02).tobytes())
EOF

start_thetahost "$workdir/data" "-Xmx1g"
become_git_user alice
"$theta_bin" install >/dev/null
admin repo create alice/big >/dev/null
unset THETA_JAVA_OPTS
url="ssh://alice@127.0.0.1:$ssh_port/alice/big.git"

log "pushing it with theta"
git clone -q "$url" "$workdir/origin" 2>/dev/null
(cd "$workdir/origin" && "$theta_bin" track model.safetensors >/dev/null \
  && cp "$workdir/model.safetensors" . && git add .gitattributes model.safetensors && git commit -qm v1 \
  && git push -q origin HEAD:main 2>"$workdir/push.err") || fail "the push failed: $(tail -n 5 "$workdir/push.err")"

printf '%-8s %10s %16s\n' "clone" "seconds" "filter peak MiB"
worst=0
for i in 1 2; do
  sync
  t0="$(now)"
  git clone -q -c "filter.theta.process=/usr/bin/time -f %M -o $workdir/clone$i.rss $theta_bin filter-process" \
    "$url" "$workdir/clone$i" 2>"$workdir/clone$i.err" || fail "clone $i failed: $(tail -n 5 "$workdir/clone$i.err")"
  t1="$(now)"
  cmp -s "$workdir/model.safetensors" "$workdir/clone$i/model.safetensors" || fail "clone $i's file differs"
  mib=$(( $(tail -n 1 "$workdir/clone$i.rss") / 1024 ))
  [ "$mib" -gt "$worst" ] && worst=$mib
  printf '%-8s %10s %16s\n' "$i" "$(elapsed "$t0" "$t1")" "$mib"
  rm -rf "$workdir/clone$i"
done
stop_thetahost
[ "$worst" -lt "$bound_mib" ] || fail "the filter's peak RSS, $worst MiB, is not under the bound of $bound_mib MiB"
succeeded=1
