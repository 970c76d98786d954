#!/usr/bin/env bash
# history-storage.sh: what does a six-version model history cost the server, next to what the codec finds and to the
# same history in stock git and in git-lfs?
#
# A benchmark, not a test (needs python3 with numpy to make the versions). With stock git and `theta install` in a
# private HOME, the way people work (cp a checkpoint over the old one, git add, git commit, git push; no hints), it
# pushes six versions of the fixtures' model to a fresh daemon:
#
#   v1 base (main)                           v4 a sparse update of v2 (main)
#   v2 the GPU-merged LoRA (main)            v5 a full fine-tune of v4 (main)
#   v3 a sparse-ternary update of base       v6 a sparse fine-tune of base, committed on top of v5 (main)
#      (branch made from v1)
#
# and prints: the server's stored encodings (`thetahost fsck`), before and after `thetahost gc --repack` (run
# against the live daemon), the sum of `theta delta` of each version against the version it was made from (base for
# v6), the same six files committed in a plain git repository after `git gc --aggressive` (its pack), and as git-lfs
# copies (every version whole); each as a ratio to the theta delta sum.
#
# --dense-uploads pushes with `git config theta.baseCandidates 0`: every tensor goes up self-contained, as an older
# client or another tool would send it, so the store holds the history dense until the repack.
#
# Usage: bench/history-storage.sh [--workdir DIR] [--keep] [--dense-uploads]
#
# Progress goes to stderr, the results to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"
theta_bin="$script_dir/../bin/theta"
fixtures="$script_dir/../fixtures/checkpoints"

usage() {
  awk '/^# Usage:/ { on = 1 } /^# Progress goes/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}
workdir=""
keep=0
dense_uploads=0
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --dense-uploads) dense_uploads=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "history-storage.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
python3 -c 'import numpy' 2>/dev/null || { echo "history-storage.sh: python3 with numpy is needed" >&2; exit 2; }

bench="history-storage"
source "$script_dir/lib/common.sh"
cleanup_hook() { stop_thetahost; }

# -----------------------------------------------------------------------------------------------------------------
# The six versions.

v="$workdir/versions"
mkdir -p "$v"
log "writing the versions"
python3 - "$fixtures" "$v" <<'EOF'
import json, struct, sys, numpy as np
fixtures, out = sys.argv[1], sys.argv[2]
def load(p):
    raw = open(p, 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]
    return raw, n, json.loads(raw[8:8 + n])
def change(src, dst, fn, seed, matrices_only=True):
    raw, n, h = load(src); buf = bytearray(raw); rng = np.random.default_rng(seed)
    for name, t in h.items():
        if name == '__metadata__' or t['dtype'] != 'F32' or (matrices_only and len(t['shape']) != 2):
            continue
        s, e = t['data_offsets']
        w = np.frombuffer(raw[8 + n + s:8 + n + e], np.float32).copy()
        buf[8 + n + s:8 + n + e] = fn(w, rng).astype(np.float32).tobytes()
    open(dst, 'wb').write(bytes(buf))
def ternary(w, rng):
    m = rng.random(w.size) < 0.01
    return np.where(m, w + np.where(rng.random(w.size) < 0.5, np.float32(0.01), np.float32(-0.01)), w)
def sparse(w, rng):
    m = rng.random(w.size) < 0.005
    return np.where(m, w + rng.uniform(-0.05, 0.05, w.size).astype(np.float32), w)
def full(w, rng):
    return w * (1 + rng.uniform(-0.01, 0.01, w.size)).astype(np.float32)
import shutil
shutil.copy(fixtures + '/base.safetensors', out + '/v1.safetensors')
shutil.copy(fixtures + '/lora_merged.safetensors', out + '/v2.safetensors')
change(out + '/v1.safetensors', out + '/v3.safetensors', ternary, 3)
change(out + '/v2.safetensors', out + '/v4.safetensors', sparse, 4)
change(out + '/v4.safetensors', out + '/v5.safetensors', full, 5, matrices_only=False)
change(out + '/v1.safetensors', out + '/v6.safetensors', sparse, 6)
EOF

# -----------------------------------------------------------------------------------------------------------------
# The daemon, a user, and the pushes.

start_thetahost "$workdir/data" "-Xmx512m"
become_git_user bench
admin repo create bench/model >/dev/null
export THETA_NO_PROMPT=1
"$theta_bin" install >/dev/null
m="$workdir/model"
git clone -q "ssh://bench@127.0.0.1:$ssh_port/bench/model.git" "$m" 2>/dev/null
(cd "$m" && "$theta_bin" track model.safetensors >/dev/null)
if [ "$dense_uploads" = 1 ]; then
  git -C "$m" config theta.baseCandidates 0
fi

# commit_push VERSION BRANCH: copies the version over the checkpoint, commits it on the checked-out branch, pushes.
commit_push() {
  cp "$v/$1.safetensors" "$m/model.safetensors"
  (cd "$m" && git add model.safetensors && git commit -q -m "$1" && git push -q origin "HEAD:$2" 2>"$workdir/push-$1.err") \
    || { tail -n 20 "$workdir/push-$1.err" >&2; fail "the push of $1 failed"; }
  log "pushed $1 to $2"
}
commit_push v1 main
commit_push v2 main
(cd "$m" && git checkout -q -b ternary HEAD~1)
commit_push v3 ternary
(cd "$m" && git checkout -q main)
commit_push v4 main
commit_push v5 main
commit_push v6 main

# stored_bytes / stored_kinds: what `thetahost fsck` reports of the store (through the daemon while it runs).
fsck_line() { "$thetahost_bin" fsck --data "$workdir/data" | sed -n 's/^stored \([0-9]*\) bytes of encodings: \(.*\)/\1 \2/p'; }
line="$(fsck_line)"
[ -n "$line" ] || fail "thetahost fsck printed no stored bytes"
stored="${line%% *}"; patches="${line#* }"
log "thetahost gc --repack against the running daemon"
"$thetahost_bin" gc --repack --data "$workdir/data" >"$workdir/repack.out" || { cat "$workdir/repack.out" >&2; fail "gc --repack failed"; }
repack_summary="$(grep '^repack: [0-9]* of' "$workdir/repack.out" || true)"
[ -n "$repack_summary" ] || { cat "$workdir/repack.out" >&2; fail "gc --repack printed no repack report"; }
line="$(fsck_line)"
repacked="${line%% *}"; repacked_patches="${line#* }"
"$thetahost_bin" fsck --data "$workdir/data" >"$workdir/fsck.out" || { cat "$workdir/fsck.out" >&2; fail "fsck after the repack is not clean"; }
log "a fresh clone reads every version back byte for byte after the repack"
after="$workdir/after-repack"
git clone -q "ssh://bench@127.0.0.1:$ssh_port/bench/model.git" "$after" 2>"$workdir/clone.err" \
  || { tail -n 20 "$workdir/clone.err" >&2; fail "the clone after the repack failed"; }
check_version() { # check_version REV VERSION
  git -C "$after" checkout -q "$1" 2>>"$workdir/clone.err" || fail "checkout of $1 after the repack failed"
  cmp -s "$after/model.safetensors" "$v/$2.safetensors" || fail "$2 ($1) reads back different after the repack"
}
check_version main v6; check_version main~1 v5; check_version main~2 v4; check_version main~3 v2
check_version main~4 v1; check_version origin/ternary v3
stop_thetahost

# -----------------------------------------------------------------------------------------------------------------
# The anchors.

delta() { "$theta_bin" delta --json "$v/$1.safetensors" "$v/$2.safetensors" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_bytes"])'; }
log "theta delta of each version against the one it was made from"
dense_v1="$("$theta_bin" delta --json - "$v/v1.safetensors" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_bytes"])')"
sum=$((dense_v1 + $(delta v1 v2) + $(delta v1 v3) + $(delta v2 v4) + $(delta v4 v5) + $(delta v1 v6)))

log "the same history in stock git, then git gc --aggressive"
g="$workdir/plain"
git init -q "$g"
for x in v1 v2 v4 v5 v6; do cp "$v/$x.safetensors" "$g/model.safetensors"; (cd "$g" && git add -A && git commit -q -m "$x"); done
(cd "$g" && git checkout -q -b ternary HEAD~3 && cp "$v/v3.safetensors" model.safetensors && git commit -qam v3)
(cd "$g" && git gc -q --aggressive)
git_bytes="$(du -cb "$g"/.git/objects/pack/*.pack | tail -n 1 | cut -f1)"
lfs_bytes="$(du -cb "$v"/v*.safetensors | tail -n 1 | cut -f1)"

ratio() { awk -v a="$1" -v b="$sum" 'BEGIN { printf "%.2fx", a / b }'; }
cat <<EOF
history-storage: six versions of the fixtures' model, pushed the everyday way$([ "$dense_uploads" = 1 ] && echo " with theta.baseCandidates 0 (dense uploads)")
  thetahost stored encodings:            $stored bytes ($(ratio "$stored"); $patches)
  after thetahost gc --repack:           $repacked bytes ($(ratio "$repacked"); $repacked_patches)
    ($repack_summary; a fresh clone read all six versions back byte for byte)
  sum of theta delta (v1 dense):         $sum bytes (1.00x)
  stock git after gc --aggressive:       $git_bytes bytes ($(ratio "$git_bytes"))
  git-lfs copies (every version whole):  $lfs_bytes bytes ($(ratio "$lfs_bytes"))
EOF
succeeded=1
