#!/usr/bin/env bash
# lfs-compare.sh: theta's everyday git steps on a large bf16 checkpoint, side by side with git-lfs and stock git in
# the same run, as ratios (these machines are noisy: the ratio means more than the seconds).
#
# A benchmark, not a test (needs python3 with numpy; installs git-lfs with apt-get when missing). It writes v1, a bf16
# checkpoint of N MiB (matrices of 2048 x 2048 and 32 norm vectors of 2048), and v2, v1 with a rank-8 update merged
# into half of the matrices, then times, each in its own repository and private HOME:
#
#   add v1 / add v2   git add of the checkpoint (theta's clean filter)  against git-lfs's git add
#   checkout          git checkout -- the file, every tensor local      against git-lfs's (twice each, ABBA order)
#   push              git push over SSH of v1 then v2 (theta's hook)    against stock git pushing the file as a blob
#   clone             git clone over SSH of that history                against stock git cloning the blob history
#
# and theta delta's encoding and decoding throughput on one core (taskset -c 0, warm) for v1 -> v2 and the fixtures.
# It prints each time, the ratio theta / anchor, and the peak resident set of theta's and git-lfs's own processes:
# the filter process git starts (run under GNU time through git's filter.*.process setting), and for a push the
# largest process of the push (theta's pre-push hook; for stock git, git itself). git's own memory is not counted:
# git holds a smudged file whole in memory whatever filter made it. theta runs with the launcher's default memory
# settings (THETA_JAVA_OPTS is cleared). Pushes and clones go to one fresh thetahost daemon.
#
# Usage: bench/lfs-compare.sh [--size-mib N] [--workdir DIR] [--keep]
#   --size-mib N  the checkpoint's size (default 1024; a multiple of 8; needs about 12 x N of disk)
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
size_mib=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) size_mib="${2:?--size-mib needs a number}"; shift 2 ;;
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "lfs-compare.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
[[ "$size_mib" =~ ^[1-9][0-9]*$ ]] && [ $((size_mib % 8)) = 0 ] \
  || { echo "lfs-compare.sh: --size-mib must be a positive multiple of 8" >&2; exit 2; }
python3 -c 'import numpy' 2>/dev/null || { echo "lfs-compare.sh: python3 with numpy is needed" >&2; exit 2; }
if ! git lfs version >/dev/null 2>&1; then
  echo "lfs-compare.sh: installing git-lfs from Debian" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq git-lfs >/dev/null \
    || { echo "lfs-compare.sh: git-lfs is needed and could not be installed" >&2; exit 2; }
fi

bench="lfs-compare"
source "$script_dir/lib/common.sh"
cleanup_hook() { stop_thetahost; }

matrices=$((size_mib / 8))
log "writing v1 and v2: $matrices bf16 matrices of 2048 x 2048 and 32 norm vectors"
python3 - "$workdir" "$matrices" <<'EOF'
import json, struct, sys, numpy as np
out, matrices = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(42)

def bf16(a):
    # round to nearest even, as torch does
    bits = a.astype(np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)

def write(path, tensors):
    header, offset = {}, 0
    for name, arr in tensors:
        header[name] = {"dtype": "BF16", "shape": list(arr.shape), "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _, arr in tensors:
            f.write(arr.tobytes())

v1, v2 = [], []
for i in range(matrices):
    w = rng.standard_normal((2048, 2048), dtype=np.float32) * 0.02
    v1.append(("layers.%03d.weight" % i, bf16(w)))
    if i % 2 == 0:
        b = rng.standard_normal((2048, 8), dtype=np.float32) * 0.01
        a = rng.standard_normal((8, 2048), dtype=np.float32) * 0.01
        w = w + b @ a
    v2.append(("layers.%03d.weight" % i, bf16(w)))
for i in range(32):
    n = bf16(1 + rng.standard_normal(2048, dtype=np.float32) * 0.01)
    v1.append(("norms.%02d.weight" % i, n))
    v2.append(("norms.%02d.weight" % i, n))
write(out + "/v1.safetensors", v1)
write(out + "/v2.safetensors", v2)
EOF

start_thetahost "$workdir/data" "-Xmx512m"
become_git_user alice
"$theta_bin" install >/dev/null
git lfs install --skip-repo >/dev/null
admin repo create alice/theta >/dev/null
admin repo create alice/plain >/dev/null

unset THETA_JAVA_OPTS
# timed NAME DIR CMD...: runs CMD in DIR under GNU time; sets secs[NAME] and rss[NAME] (MiB): the filter's peak RSS
# when CMD ran one (under_time_filters), else that of CMD's largest process.
declare -A secs rss
timed() {
  local name="$1" dir="$2"
  shift 2
  local t0 t1
  rm -f "$workdir/filter.rss"
  # Each step starts with no dirty pages left by the setup before it (copies of the checkpoint, the other tool's
  # step): the kernel's writeback of those would otherwise be charged to whichever step runs first.
  sync
  t0="$(now)"
  (cd "$dir" && /usr/bin/time -f %M -o "$workdir/$name.rss" "$@" >"$workdir/$name.out" 2>"$workdir/$name.err") \
    || fail "$name: $* failed: $(tail -n 5 "$workdir/$name.err")"
  t1="$(now)"
  [ -f "$workdir/filter.rss" ] && mv "$workdir/filter.rss" "$workdir/$name.rss"
  secs[$name]="$(elapsed "$t0" "$t1")"
  rss[$name]="$(awk '{ printf "%d", $1 / 1024 }' "$workdir/$name.rss")"
  log "$name: ${secs[$name]} s, peak RSS ${rss[$name]} MiB"
}
# git options that run theta's and git-lfs's filter processes under GNU time, writing their peak RSS to filter.rss.
under_time_filters=(-c "filter.theta.process=/usr/bin/time -f %M -o $workdir/filter.rss $theta_bin filter-process"
  -c "filter.lfs.process=/usr/bin/time -f %M -o $workdir/filter.rss git-lfs filter-process")

ssh_url() { echo "ssh://alice@127.0.0.1:$ssh_port/alice/$1.git"; }

# theta: a clone of alice/theta tracking the checkpoint; lfs: a local repository tracking it with git-lfs;
# plain: the file as an ordinary blob, pushed to alice/plain.
git clone -q "$(ssh_url theta)" "$workdir/theta" 2>/dev/null
(cd "$workdir/theta" && "$theta_bin" track model.safetensors >/dev/null && git add .gitattributes && git commit -qm attributes)
git init -q "$workdir/lfs"
(cd "$workdir/lfs" && git lfs track model.safetensors >/dev/null && git add .gitattributes && git commit -qm attributes)
git init -q "$workdir/plain"

for v in 1 2; do
  for r in theta lfs plain; do cp "$workdir/v$v.safetensors" "$workdir/$r/model.safetensors"; done
  timed "theta-add-v$v" "$workdir/theta" git "${under_time_filters[@]}" add model.safetensors
  timed "lfs-add-v$v" "$workdir/lfs" git "${under_time_filters[@]}" add model.safetensors
  (cd "$workdir/plain" && git add model.safetensors)
  for r in theta lfs plain; do (cd "$workdir/$r" && git commit -qm "v$v"); done
done

# Both tools' checkouts start with what they read in the page cache: theta's store and git-lfs's object of v2. Near
# the cache's size (4 GiB here) the setup's later writes may have evicted theta's store, written at add v1, and not
# git-lfs's v2 object, written just before; read first, both start from the same state.
lfs_oid="$(cd "$workdir/lfs" && git lfs ls-files -l | awk '$NF == "model.safetensors" { print $1 }')"
find "$workdir/theta/.git/theta" "$workdir/lfs/.git/lfs/objects/${lfs_oid:0:2}/${lfs_oid:2:2}/$lfs_oid" -type f \
  -exec cat {} + >/dev/null
# checkout STEP TOOL: git checkout of the deleted file in TOOL's repository (theta or lfs).
checkout() {
  rm "$workdir/$2/model.safetensors"
  timed "$1" "$workdir/$2" git "${under_time_filters[@]}" checkout -- model.safetensors
}
# Twice each, in the order theta, git-lfs, git-lfs, theta; each tool's time is the mean of its two. With theta always
# first, 4 GiB measured 1.16-1.23x here, while three pairs outside the script, on checkpoints made the same way with
# less else in the page cache and either tool first, measured 0.86-0.99x: at that size the state the machine is left
# in by the step before weighs more than the tools, so neither tool always goes first.
checkout theta-checkout-1 theta
checkout lfs-checkout-1 lfs
checkout lfs-checkout-2 lfs
checkout theta-checkout-2 theta
for tool in theta lfs; do
  secs[$tool-checkout]="$(awk -v a="${secs[$tool-checkout-1]}" -v b="${secs[$tool-checkout-2]}" \
    'BEGIN { printf "%.3f", (a + b) / 2 }')"
  rss[$tool-checkout]="$(( rss[$tool-checkout-1] > rss[$tool-checkout-2] ? rss[$tool-checkout-1] : rss[$tool-checkout-2] ))"
done
cmp -s "$workdir/v2.safetensors" "$workdir/theta/model.safetensors" || fail "theta's checkout differs from v2"
cmp -s "$workdir/v2.safetensors" "$workdir/lfs/model.safetensors" || fail "git-lfs's checkout differs from v2"
# theta delta on one core (taskset -c 0), warm (--repeat: the median of the last half of the runs counts): encoding
# and decoding throughput of the changed tensors, on the generated pair and on the fixtures (PyTorch's GPT-2-like
# model and its LoRA merge). The fixtures' 3 MB of changed tensors take about a hundred runs to warm up (the JIT shares
# the one core: encoding measured 86 MB/s as the median of the last 40 of 80 runs, 122 of the last 100 of 200 and 124
# of the last 200 of 400), and one run lasts under a tenth of a second, so that a single run's figure swung by half;
# the median of the last 100 of 200 does not (about 15 s a pair).
fixtures="$script_dir/../fixtures/checkpoints"
declare -A encode_rate decode_rate
delta_rate() { # NAME REPEAT theta-delta-arguments...
  local name="$1" repeat="$2"
  shift 2
  log "theta delta $name on one core"
  taskset -c 0 "$theta_bin" delta --json --repeat "$repeat" "$@" >"$workdir/delta-$name.json" \
    2>"$workdir/delta-$name.err" || fail "theta delta $name failed: $(tail -n 5 "$workdir/delta-$name.err")"
  read -r "encode_rate[$name]" "decode_rate[$name]" < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["verified"], "theta delta did not verify every tensor"
print("%.0f %.0f" % (d["encode_mb_per_s"], d["decode_mb_per_s"]))' "$workdir/delta-$name.json")
}
delta_rate generated 2 "$workdir/v1.safetensors" "$workdir/v2.safetensors"
delta_rate fixtures 200 "$fixtures/base.safetensors" "$fixtures/lora_merged.safetensors"
delta_rate fixtures-adapter 200 --adapter "$fixtures/adapter_model.safetensors" "$fixtures/base.safetensors" \
  "$fixtures/lora_merged.safetensors"

# Neither is needed any more: the disk they take (3 x N) is what a large run needs for the pushes and clones.
rm -rf "$workdir/lfs" "$workdir/v1.safetensors"

# The daemon serves git through JGit, which refuses an object above 2,147,483,639 bytes (its pack parser's limit): a
# checkpoint larger than that cannot be pushed as one blob, so stock git's push and clone are left out and those rows
# have no ratio (theta's are still timed).
jgit_object_limit=2147483639
blob_fits=1
[ "$(stat -c %s "$workdir/v2.safetensors")" -le "$jgit_object_limit" ] || blob_fits=0
timed theta-push "$workdir/theta" git push -q origin HEAD:main
[ "$blob_fits" = 1 ] && timed git-push "$workdir/plain" git push -q "$(ssh_url plain)" HEAD:main
timed theta-clone "$workdir" git clone -q "${under_time_filters[@]}" "$(ssh_url theta)" theta-clone
[ "$blob_fits" = 1 ] && timed git-clone "$workdir" git clone -q "$(ssh_url plain)" plain-clone
cmp -s "$workdir/v2.safetensors" "$workdir/theta-clone/model.safetensors" || fail "theta's clone differs from v2"
if [ "$blob_fits" = 1 ]; then
  cmp -s "$workdir/v2.safetensors" "$workdir/plain-clone/model.safetensors" || fail "stock git's clone differs"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "lfs-compare: a bf16 checkpoint of $size_mib MiB ($matrices matrices of 2048 x 2048, 32 norms), v2 with a" \
  "rank-8 update in half the matrices; $(nproc) cores"
printf '%-10s %10s %10s %8s %12s %12s\n' step "theta s" "anchor s" ratio "theta MiB" "anchor MiB"
row() { # LABEL THETA-STEP ANCHOR-STEP (an anchor that did not run prints n/a)
  if [ -n "${secs[$3]:-}" ]; then
    printf '%-10s %10s %10s %8s %12s %12s\n' "$1" "${secs[$2]}" "${secs[$3]}" "$(ratio "${secs[$2]}" "${secs[$3]}")" \
      "${rss[$2]}" "${rss[$3]}"
  else
    printf '%-10s %10s %10s %8s %12s %12s\n' "$1" "${secs[$2]}" n/a n/a "${rss[$2]}" n/a
  fi
}
row "add v1" theta-add-v1 lfs-add-v1
row "add v2" theta-add-v2 lfs-add-v2
row checkout theta-checkout lfs-checkout
row push theta-push git-push
row clone theta-clone git-clone
echo
printf '%-34s %12s %12s\n' "theta delta, one core, warm" "encode MB/s" "decode MB/s"
for name in generated fixtures fixtures-adapter; do
  printf '%-34s %12s %12s\n' "$name" "${encode_rate[$name]}" "${decode_rate[$name]}"
done
echo "anchors: git-lfs for add and checkout, stock git moving the file as a blob for push and clone (same daemon);"
echo "MiB: peak resident set of the filter process (add, checkout, theta's clone), else of the step's largest process"
[ "$blob_fits" = 1 ] || echo "n/a: the file is over JGit's 2,147,483,639-byte object limit, so stock git cannot push it"
stop_thetahost
succeeded=1
