#!/usr/bin/env bash
# model-workflow.sh: how fast do git's clean and smudge run through bin/theta on a large checkpoint, in how much
# memory, and what does a push and a clone of it cost?
#
# A benchmark, not a test. It writes a safetensors checkpoint of N MiB (F32 matrices of seeded values) with
# bench/GenerateCheckpoint.java, starts the real daemon, and with stock git and `theta install` in a private HOME:
#
#   clean     git add model.safetensors           (the filter hashes the checkpoint and stores it in .git/theta)
#   push      git push over SSH                   (the pre-push hook uploads the tensors, then git the manifest)
#   clone     git clone over SSH                  (the filter downloads the tensors and writes the checkpoint)
#   smudge    git checkout -- model.safetensors   (in the clone, every tensor local: the filter only writes)
#
# and prints each step's seconds and throughput (MB = 10^6 bytes of the checkpoint), the bytes on the wire of the
# transfers, and for the filter process of each step its peak heap (PEAK/LIVE from its GC log, as in
# tensor-transfer.sh) and peak resident set (VmHWM). The clone's checkpoint is compared with the original (cmp).
#
# Usage: bench/model-workflow.sh [--size-mib N] [--tensor-mib M] [--heap 512m] [--workdir DIR] [--keep]
#
#   --size-mib N    size of the checkpoint's tensor data in MiB (default 1024; needs about 6 x N of disk)
#   --tensor-mib M  size of each tensor in MiB (default 64: 4096 x 4096 F32)
#   --heap SIZE     the maximum heap of every theta process (the filter, the hook) and of the daemon (default 512m)
#   --workdir DIR   where everything goes (default: a fresh `mktemp -d`); new or empty; removed at exit unless --keep
#   --keep          keep the work directory at exit.
#
# Progress goes to stderr, the results to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"
theta_bin="$script_dir/../bin/theta"

usage() {
  awk '/^# Usage:/ { on = 1 } /^# Progress goes/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}

source "$script_dir/lib/checkpoint-args.sh"
parse_checkpoint_args model-workflow.sh "$@"

bench="model-workflow"
source "$script_dir/lib/common.sh"

cleanup_hook() { stop_thetahost; }

# -----------------------------------------------------------------------------------------------------------------
# The checkpoint, the daemon, and a user with a private HOME.

checkpoint="$workdir/generated.safetensors"
generate_checkpoint "$checkpoint"
file_bytes="$(stat -c %s "$checkpoint")"

start_thetahost "$workdir/data" "-Xmx$heap"
become_git_user bench
admin repo create bench/model >/dev/null
url="ssh://bench@127.0.0.1:$ssh_port/bench/model.git"

# step NAME DIR COMMAND...: runs a git command in DIR with every theta process at the heap limit and logging its GC
# to gc/NAME-PID.log; samples the filter process's VmHWM while it runs; sets seconds, filter_heap and filter_rss.
step() {
  local name="$1" dir="$2" t0 t1 rc=0 pid="" hwm=0 h
  shift 2
  mkdir -p "$workdir/gc"
  t0="$(now)"
  (cd "$dir" && THETA_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$workdir/gc/$name-%p.log" "$@") \
    >"$workdir/$name.out" 2>"$workdir/$name.err" &
  local runner=$!
  while kill -0 "$runner" 2>/dev/null; do
    pid="$(pgrep -f 'theta.jar filter-process' | head -n 1 || true)"
    if [ -n "$pid" ]; then
      h="$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
      [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm="$h"
    fi
    sleep 0.1
  done
  wait "$runner" || rc=$?
  t1="$(now)"
  if [ "$rc" -ne 0 ]; then
    tr '\r' '\n' <"$workdir/$name.err" | tail -n 20 | sed 's/^/    /' >&2
    fail "$name: $* exited $rc"
  fi
  seconds="$(elapsed "$t0" "$t1")"
  filter_heap="$(peak_heap "$workdir"/gc/"$name"-*.log)"
  filter_rss="$(awk -v k="$hwm" 'BEGIN { if (k > 0) printf "%.0f MiB", k / 1024; else print "n/a" }')"
  log "$name: $seconds s"
}
mbps() { awk -v n="$file_bytes" -v s="$1" 'BEGIN { printf "%.1f", n / 1e6 / s }'; }
# The last transfer summary a step printed: "N bytes sent, M received".
wire() { tr '\r' '\n' <"$1" | sed -n 's/.*: \([0-9,]*\) bytes sent, \([0-9,]*\) received.*/\1 sent, \2 received/p' | tail -n 1; }

# -----------------------------------------------------------------------------------------------------------------
# The steps.

"$theta_bin" install >/dev/null
git clone -q "$url" "$workdir/a" 2>/dev/null
(cd "$workdir/a" && "$theta_bin" track model.safetensors >/dev/null)
cp "$checkpoint" "$workdir/a/model.safetensors"

declare -A secs heapof rssof wireof
step clean "$workdir/a" git add model.safetensors
secs[clean]="$seconds"; heapof[clean]="$filter_heap"; rssof[clean]="$filter_rss"
(cd "$workdir/a" && git commit -q -m model)

step push "$workdir/a" git push -q origin HEAD:main
secs[push]="$seconds"; heapof[push]="$filter_heap"; wireof[push]="$(wire "$workdir/push.err")"

step clone "$workdir" git clone -q "$url" "$workdir/b"
secs[clone]="$seconds"; heapof[clone]="$filter_heap"; rssof[clone]="$filter_rss"; wireof[clone]="$(wire "$workdir/clone.err")"
cmp "$checkpoint" "$workdir/b/model.safetensors" || fail "the clone's checkpoint differs from the one pushed"

rm "$workdir/b/model.safetensors"
step smudge "$workdir/b" git checkout -- model.safetensors
secs[smudge]="$seconds"; heapof[smudge]="$filter_heap"; rssof[smudge]="$filter_rss"
cmp "$checkpoint" "$workdir/b/model.safetensors" || fail "the smudged checkpoint differs from the one pushed"
[ -z "$(cd "$workdir/b" && git status --porcelain)" ] || fail "git status is not clean after the checkout"

stop_thetahost
echo "theta with stock git: $tensors tensors of ${rows}x${cols} F32, $((file_bytes)) bytes; loopback SSH, 2 cores"
echo "every theta process and the daemon at -Xmx$heap"
echo
printf '%-7s %9s %8s  %-34s %-16s %s\n' step s MB/s "wire bytes" "theta heap" "filter RSS"
for s in clean push clone smudge; do
  printf '%-7s %9s %8s  %-34s %-16s %s\n' "$s" "${secs[$s]}" "$(mbps "${secs[$s]}")" "${wireof[$s]:--}" \
    "${heapof[$s]:--}" "${rssof[$s]:--}"
done
echo
echo "clean: git add, the filter hashing and storing the checkpoint; push: the hook's upload and git's push;"
echo "clone: git clone, the filter downloading and writing it; smudge: git checkout with every tensor local."
succeeded=1
