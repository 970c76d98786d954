#!/usr/bin/env bash
# push-checks.sh: what do the server's checks on push (hooks/CHECKS.md) cost?
#
# A benchmark, not a test. It starts the real daemon and, with stock git and `theta install` in a private HOME, times:
#
#   wide     the push of a new checkpoint of 1,000 tensors (a 1,000-tensor manifest, checked against the store), then
#            the push of a commit changing 100 of them
#   merge    the push of a merge of two fine-tunes of a checkpoint of --size-mib MiB (default 1024, bench/
#            GenerateCheckpoint.java): each changed 20% of the parameters, 10% on both sides, which theta's merge
#            driver averages; the server recomputes each average bit for bit from the parents' tensors
#
# For each push it prints the checks' own time, as the daemon logs it ("push checks in REPO: ... N ms"), next to the
# whole push's time (git push, wall clock), and at the end the daemon's peak heap (PEAK/LIVE from its GC log) and
# peak resident set.
#
# Usage: bench/push-checks.sh [--size-mib N] [--tensor-mib M] [--heap 512m] [--workdir DIR] [--keep]
#
#   --size-mib N    size of the merged checkpoint's tensor data in MiB (default 1024; needs about 8 x N of disk)
#   --tensor-mib M  size of each of its tensors in MiB (default 4: 256 tensors of 1024 x 1024 F32 at 1 GiB)
#   --heap SIZE     the maximum heap of the daemon and of every theta process (default 512m)
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
parse_checkpoint_args push-checks.sh --tensor-mib 4 "$@"

bench="push-checks"
source "$script_dir/lib/common.sh"

cleanup_hook() { stop_thetahost; }

# -----------------------------------------------------------------------------------------------------------------
# The daemon, and a user with a private HOME.

start_thetahost "$workdir/data" "-Xmx$heap -Xlog:gc:file=$workdir/gc-daemon.log"
become_git_user bench
export THETA_JAVA_OPTS="-Xmx$heap" THETA_NO_PROMPT=1
"$theta_bin" install >/dev/null

# new_repo NAME: creates bench/NAME on the server and clones it to $workdir/NAME with the checkpoint tracked.
new_repo() {
  admin repo create "bench/$1" >/dev/null
  git clone -q "ssh://bench@127.0.0.1:$ssh_port/bench/$1.git" "$workdir/$1" 2>/dev/null
  (cd "$workdir/$1" && "$theta_bin" track model.safetensors >/dev/null)
}

# timed_push NAME DIR GIT-PUSH-ARGS...: pushes, and sets push_seconds and check_ms (from the daemon's log line for
# this push, which is the last one for the repository).
timed_push() {
  local name="$1" dir="$2" t0 t1 repo
  shift 2
  repo="bench/$(basename "$dir")"
  local before
  before="$(grep -c "push checks in $repo:" "$serve_err" || true)"
  t0="$(now)"
  (cd "$dir" && git push "$@") >"$workdir/$name.out" 2>"$workdir/$name.err" \
    || { tr '\r' '\n' <"$workdir/$name.err" | tail -n 20 | sed 's/^/    /' >&2; fail "$name: git push $* failed"; }
  t1="$(now)"
  push_seconds="$(elapsed "$t0" "$t1")"
  local after
  after="$(grep -c "push checks in $repo:" "$serve_err" || true)"
  [ "$after" -gt "$before" ] || fail "$name: the daemon logged no push checks for $repo"
  check_line="$(grep "push checks in $repo:" "$serve_err" | tail -n 1)"
  check_ms="$(sed -n 's/.*: \([0-9][0-9]*\) ms, .*/\1/p' <<<"$check_line")"
  case "$check_line" in *", 0 ref(s) rejected") ;; *) fail "$name: the server rejected the push: $check_line" ;; esac
  log "$name: push $push_seconds s, checks $check_ms ms (${check_line#*: })"
}
server_ref() { git --git-dir "$data/repos/$1.git" rev-parse "$2" 2>/dev/null || true; }

# -----------------------------------------------------------------------------------------------------------------
# wide: a 1,000-tensor manifest.

new_repo wide
log "generating a checkpoint of 1,000 tensors of 64 x 64 F32"
java "$script_dir/GenerateCheckpoint.java" "$workdir/wide/model.safetensors" 1000 64 64 7
(cd "$workdir/wide" && git add model.safetensors && git commit -q -m "1,000 tensors")
timed_push wide-new "$workdir/wide" origin HEAD:main
wide_new_push="$push_seconds" wide_new_check="$check_ms"
java "$script_dir/ModifyCheckpoint.java" "$workdir/wide/model.safetensors" "$workdir/wide.tmp" 1.01 0:100
mv "$workdir/wide.tmp" "$workdir/wide/model.safetensors"
(cd "$workdir/wide" && git commit -q -am "100 of 1,000 tensors changed")
timed_push wide-update "$workdir/wide" origin HEAD:main
wide_update_push="$push_seconds" wide_update_check="$check_ms"

# -----------------------------------------------------------------------------------------------------------------
# merge: two fine-tunes of a large checkpoint, 10% of the parameters averaged.

new_repo merge
m="$workdir/merge"
generate_checkpoint "$workdir/base.safetensors"
tenth=$((tensors / 10))
[ "$tenth" -ge 1 ] || fail "--size-mib / --tensor-mib gives $tensors tensors; at least 10 are needed"
cp "$workdir/base.safetensors" "$m/model.safetensors"
(cd "$m" && git add model.safetensors && git commit -q -m base)
timed_push merge-base "$m" origin HEAD:main

# Ours scales tensors [0, 2t) and theirs [0, t) and [2t, 3t): t tensors changed on both sides.
log "fine-tune on main: tensors 0..$((2 * tenth - 1)) scaled"
java "$script_dir/ModifyCheckpoint.java" "$workdir/base.safetensors" "$m/model.safetensors" 1.01 "0:$((2 * tenth))"
(cd "$m" && git commit -q -am "ours")
timed_push merge-ours "$m" origin HEAD:main
(cd "$m" && git checkout -q -b tune HEAD~1)
log "fine-tune on tune: tensors 0..$((tenth - 1)) and $((2 * tenth))..$((3 * tenth - 1)) scaled"
java "$script_dir/ModifyCheckpoint.java" "$workdir/base.safetensors" "$m/model.safetensors" 0.99 "0:$tenth" \
  "$((2 * tenth)):$((3 * tenth))"
(cd "$m" && git commit -q -am "theirs")
timed_push merge-theirs "$m" origin tune
rm -f "$workdir/base.safetensors"

log "merging tune into main; theta's merge driver averages the $tenth tensors both sides changed"
t0="$(now)"
(cd "$m" && git checkout -q main && THETA_MERGE_STRATEGY=average git merge -q --no-edit tune) \
  >"$workdir/merge.out" 2>"$workdir/merge.err" || { tail -n 20 "$workdir/merge.err" >&2; fail "git merge failed"; }
merge_seconds="$(elapsed "$t0" "$(now)")"
averaged="$(cd "$m" && git cat-file blob HEAD:model.safetensors | grep -c '"strategy": "average"' || true)"
[ "$averaged" = "$tenth" ] || fail "the merge commit declares $averaged averages, not $tenth"
timed_push merge-push "$m" origin main
merge_push="$push_seconds" merge_check="$check_ms"
[ "$(server_ref bench/merge refs/heads/main)" = "$(cd "$m" && git rev-parse HEAD)" ] \
  || fail "the server's main is not the merge"

daemon_rss="$(peak_rss)"
stop_thetahost
daemon_heap="$(peak_heap "$workdir/gc-daemon.log")"

averaged_mib=$((tenth * tensor_mib))
cat <<EOF
push-checks: the server's checks on push, daemon at -Xmx$heap
  1,000-tensor manifest, new checkpoint:      checks $wide_new_check ms    (whole push $wide_new_push s)
  1,000-tensor manifest, 100 tensors changed: checks $wide_update_check ms    (whole push $wide_update_push s)
  merge of two fine-tunes of $size_mib MiB ($tensors tensors of $tensor_mib MiB), $tenth averaged ($averaged_mib MiB per side):
                                              checks $merge_check ms    (whole push $merge_push s; git merge took $merge_seconds s)
  daemon peak heap (PEAK/LIVE over the run):  $daemon_heap
  daemon peak RSS:                            $daemon_rss
EOF
succeeded=1
