#!/usr/bin/env bash
# cluster-compare.sh: a push and a clone of a large checkpoint through fronts over PostgreSQL and S3 (docs/CLUSTER.md)
# against the embedded mode, in the same run (these machines are noisy: the ratios mean more than the seconds).
#
# A benchmark, not a test. It writes two checkpoints of N MiB (bench/GenerateCheckpoint.java, seeds 42 and 43), then,
# as a person does it (git clone over SSH, theta track, git add, commit, git push; then git clone over SSH, which
# downloads the tensors through the theta filter), each mode on fresh state:
#
#   embedded     one daemon on its data directory (RocksDB, bare repositories): push A, clone A
#   one front    one front over PostgreSQL and s3proxy (bench/cluster.sh): push A, clone A
#   two fronts   two fronts over the same services, at once: push A through the first while B goes through the
#                second; then clone A through the second while B comes through the first
#
# For each: the seconds, the ratio to the embedded mode, each daemon's peak heap (from its GC log, PEAK/LIVE MiB as
# in tensor-transfer.sh), and, for fronts, the database round trips of the push and of the clone (statements and
# commits, counted by the front: bin/thetahost stats). Every clone's checkpoint is compared with the original (cmp).
#
# Usage: bench/cluster-compare.sh [--size-mib 1024] [--tensor-mib 64] [--heap 512m] [--workdir DIR] [--keep]
#
# Needs what bench/cluster.sh needs (PostgreSQL's server binaries; Maven fetches s3proxy once) and about 6 x N of disk.
# Progress goes to stderr, the results to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"
theta_bin="$script_dir/../bin/theta"
cluster_sh="$script_dir/cluster.sh"

usage() {
  awk '/^# Usage:/ { on = 1 } /^# Progress goes/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}
source "$script_dir/lib/checkpoint-args.sh"
parse_checkpoint_args cluster-compare "$@"
bench="cluster-compare"
source "$script_dir/lib/common.sh"

# become_git_user gives this shell a private HOME; Maven (which cluster.sh fetches s3proxy with) needs the real one.
real_home="$HOME"
services_up() {
  local lines
  lines="$(HOME="$real_home" "$cluster_sh" up "$services")" || fail "bench/cluster.sh up $services failed"
  eval "$lines"
  read -r -a cluster_options <<<"$THETAHOST_CLUSTER_OPTIONS"
  serve_options=("${cluster_options[@]}")
  admin_options=("${cluster_options[@]}")
}

# PostgreSQL runs as the postgres user when this runs as root: its folder must not be inside a private one.
services="$(mktemp -d "${TMPDIR:-/tmp}/cluster-compare-services.XXXXXX")"
other_pids=()
cleanup_hook() {
  for p in ${other_pids[@]+"${other_pids[@]}"}; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  HOME="$real_home" "$cluster_sh" down "$services" >/dev/null 2>&1 || true
  rm -rf "$services"
}

generate_checkpoint "$workdir/a.safetensors" 42
generate_checkpoint "$workdir/b.safetensors" 43

# The bytes of the checkpoints: the pages the first push reads cost every mode the same.
cat "$workdir/a.safetensors" "$workdir/b.safetensors" >/dev/null

# front NAME: starts a daemon (embedded or front, as serve_options say) with its GC log; sets NAME_pid, NAME_ssh,
# NAME_data.
front() {
  local name="$1"
  start_thetahost "$workdir/$name" "-Xmx$heap -Xlog:gc:file=$workdir/gc-$name.log"
  printf -v "${name}_pid" '%s' "$serve_pid"
  printf -v "${name}_ssh" '%s' "$ssh_port"
  printf -v "${name}_data" '%s' "$data"
  other_pids+=("$serve_pid")
  serve_pid=""
}

stop_front() { # NAME
  local pid_var="${1}_pid"
  kill -TERM "${!pid_var}" 2>/dev/null || true
  wait "${!pid_var}" 2>/dev/null || true
}

round_trips() { # DATA
  "$thetahost_bin" stats --data "$1" | awk -F': ' '/^database round trips/ { print $2 }'
}

# prepare REPO PORT CHECKPOINT DIR: a clone with the checkpoint committed, ready to push.
prepare() {
  local repo="$1" port="$2" checkpoint="$3" dir="$4"
  git clone -q "ssh://alice@127.0.0.1:$port/$repo.git" "$dir" 2>/dev/null
  (cd "$dir" && "$theta_bin" track model.safetensors >/dev/null && git add .gitattributes && git commit -qm attributes)
  cp "$checkpoint" "$dir/model.safetensors"
  (cd "$dir" && git add model.safetensors && git commit -qm checkpoint) >"$dir.add.log" 2>&1 \
    || fail "git add of $checkpoint failed: $(tail -n 5 "$dir.add.log")"
}

push_from() { # DIR
  (cd "$1" && git push -q origin HEAD:main) >"$1.push.log" 2>&1 || fail "git push from $1: $(tail -n 5 "$1.push.log")"
}
clone_into() { # URL DIR
  git clone -q "$1" "$2" >"$2.clone.log" 2>&1 || fail "git clone $1: $(tail -n 5 "$2.clone.log")"
}
# timed VAR COMMAND...: runs it and puts its seconds in VAR.
timed() {
  local var="$1" t0 t1
  shift
  t0="$(now)"
  "$@"
  t1="$(now)"
  printf -v "$var" '%s' "$(elapsed "$t0" "$t1")"
}
same() { # ORIGINAL COPY
  cmp -s "$1" "$2" || fail "$2 differs from $1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

# --- embedded ------------------------------------------------------------------------------------------------------
front embedded
data="$embedded_data"
become_git_user alice
"$theta_bin" install >/dev/null
admin repo create alice/a >/dev/null
prepare alice/a "$embedded_ssh" "$workdir/a.safetensors" "$workdir/embedded-a"
log "embedded: push"
timed e_push push_from "$workdir/embedded-a"
rm -rf "$workdir/embedded-a"
log "embedded: clone"
timed e_clone clone_into "ssh://alice@127.0.0.1:$embedded_ssh/alice/a.git" "$workdir/embedded-clone"
same "$workdir/a.safetensors" "$workdir/embedded-clone/model.safetensors"
rm -rf "$workdir/embedded-clone"
stop_front embedded
e_heap="$(peak_heap "$workdir/gc-embedded.log")"
log "embedded: push $e_push s, clone $e_clone s, heap $e_heap"

# --- fronts over PostgreSQL and s3proxy ----------------------------------------------------------------------------
log "starting PostgreSQL and s3proxy (bench/cluster.sh up $services)"
services_up

front one
data="$one_data"
admin user add alice --ssh-key "$home/.ssh/id_ed25519.pub" >/dev/null
admin repo create alice/a >/dev/null
prepare alice/a "$one_ssh" "$workdir/a.safetensors" "$workdir/one-a"
log "one front: push"
rt0="$(round_trips "$one_data")"
timed o_push push_from "$workdir/one-a"
rt1="$(round_trips "$one_data")"
rm -rf "$workdir/one-a"
log "one front: clone"
timed o_clone clone_into "ssh://alice@127.0.0.1:$one_ssh/alice/a.git" "$workdir/one-clone"
rt2="$(round_trips "$one_data")"
same "$workdir/a.safetensors" "$workdir/one-clone/model.safetensors"
rm -rf "$workdir/one-clone"
o_push_rt=$((rt1 - rt0))
o_clone_rt=$((rt2 - rt1))
stop_front one
o_heap="$(peak_heap "$workdir/gc-one.log")"
log "one front: push $o_push s ($o_push_rt round trips), clone $o_clone s ($o_clone_rt), heap $o_heap"

# Fresh state for the two fronts: the same tensors would otherwise be stored already.
HOME="$real_home" "$cluster_sh" down "$services" >/dev/null
rm -rf "$services"
mkdir -p "$services"
services_up
front first
front second
data="$first_data"
admin user add alice --ssh-key "$home/.ssh/id_ed25519.pub" >/dev/null
admin repo create alice/a >/dev/null
admin repo create alice/b >/dev/null
prepare alice/a "$first_ssh" "$workdir/a.safetensors" "$workdir/two-a"
prepare alice/b "$second_ssh" "$workdir/b.safetensors" "$workdir/two-b"
log "two fronts: push A through the first while B goes through the second"
f0="$(round_trips "$first_data")"
s0="$(round_trips "$second_data")"
t0="$(now)"
push_from "$workdir/two-a" &
pa=$!
push_from "$workdir/two-b" &
pb=$!
wait "$pa" || fail "the push through the first front failed"
ta="$(now)"
wait "$pb" || fail "the push through the second front failed"
tb="$(now)"
t_push_a="$(elapsed "$t0" "$ta")"
t_push_b="$(elapsed "$t0" "$tb")"
f1="$(round_trips "$first_data")"
s1="$(round_trips "$second_data")"
rm -rf "$workdir/two-a" "$workdir/two-b"
log "two fronts: clone A through the second while B comes through the first"
t0="$(now)"
clone_into "ssh://alice@127.0.0.1:$second_ssh/alice/a.git" "$workdir/two-clone-a" &
ca=$!
clone_into "ssh://alice@127.0.0.1:$first_ssh/alice/b.git" "$workdir/two-clone-b" &
cb=$!
wait "$ca" || fail "the clone through the second front failed"
ta="$(now)"
wait "$cb" || fail "the clone through the first front failed"
tb="$(now)"
t_clone_a="$(elapsed "$t0" "$ta")"
t_clone_b="$(elapsed "$t0" "$tb")"
f2="$(round_trips "$first_data")"
s2="$(round_trips "$second_data")"
same "$workdir/a.safetensors" "$workdir/two-clone-a/model.safetensors"
same "$workdir/b.safetensors" "$workdir/two-clone-b/model.safetensors"
rm -rf "$workdir/two-clone-a" "$workdir/two-clone-b"
stop_front first
stop_front second
first_heap="$(peak_heap "$workdir/gc-first.log")"
second_heap="$(peak_heap "$workdir/gc-second.log")"

echo "cluster-compare: $size_mib MiB checkpoint ($tensors tensors of ${rows}x${cols} F32), daemons at -Xmx$heap"
printf '%-34s %9s %9s %14s %s\n' "mode" "push s" "clone s" "vs embedded" "peak/live heap; db round trips"
printf '%-34s %9s %9s %14s %s\n' "embedded" "$e_push" "$e_clone" "1.00x/1.00x" "$e_heap"
printf '%-34s %9s %9s %14s %s\n' "one front" "$o_push" "$o_clone" \
  "$(ratio "$o_push" "$e_push")/$(ratio "$o_clone" "$e_clone")" \
  "$o_heap; push $o_push_rt, clone $o_clone_rt"
printf '%-34s %9s %9s %14s %s\n' "two fronts at once: A (1st, 2nd)" "$t_push_a" "$t_clone_a" \
  "$(ratio "$t_push_a" "$e_push")/$(ratio "$t_clone_a" "$e_clone")" \
  "first $first_heap; second $second_heap"
printf '%-34s %9s %9s %14s %s\n' "two fronts at once: B (2nd, 1st)" "$t_push_b" "$t_clone_b" \
  "$(ratio "$t_push_b" "$e_push")/$(ratio "$t_clone_b" "$e_clone")" \
  "round trips: pushes $((f1 - f0 + s1 - s0)), clones $((f2 - f1 + s2 - s1)) (both fronts)"
succeeded=1
