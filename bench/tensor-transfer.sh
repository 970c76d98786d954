#!/usr/bin/env bash
# tensor-transfer.sh: how fast do a checkpoint's tensors move with the theta transfer protocol, and in how much memory?
#
# A benchmark, not a test. It writes a safetensors checkpoint of N MiB (F32 matrices of seeded values, which compress
# about as little as trained weights do) with bench/GenerateCheckpoint.java, then, over each transport on loopback:
#
#   ssh    the real daemon (bin/thetahost serve) through the system ssh, with an ed25519 key
#   http   the same daemon over HTTP, with a token from git's `store` credential helper
#
# starts a daemon on a fresh data directory (so each transport uploads into an empty store), and times
#
#   upload     bin/theta tensors upload URL CHECKPOINT --store EMPTY_STORE
#   download   bin/theta tensors download URL MANIFEST --store EMPTY_STORE -o OUT    (OUT is compared with cmp)
#
# It prints, per transport and direction: the command's elapsed seconds and throughput (MB = 10^6 bytes of the
# checkpoint) as a user sees it; the seconds and rate of the transfer itself, from the client's own report (the
# upload's first step, hashing and storing the checkpoint in the local store, and the download's last, writing the
# checkpoint out, are local work outside it); the bytes on the wire; and the daemon's peak heap use and peak RSS
# while it served that transport, with the client's peak heap.
#
# Usage: bench/tensor-transfer.sh [--size-mib N] [--tensor-mib M] [--heap 512m] [--workdir DIR] [--keep]
#
#   --size-mib N    size of the checkpoint's tensor data, in MiB (default 1024). A 1 GiB run needs about 9 GiB of
#                   disk: the checkpoint, and per transport the daemon's store, two client stores and the output.
#   --tensor-mib M  size of each tensor, in MiB (default 64: 4096 x 4096 F32, a large model's projection); N must
#                   be a multiple of it. Powers of 4 keep the matrices square.
#   --heap SIZE     the maximum heap of the daemon and of the client, as -XmxSIZE (default 512m: both must move a
#                   1 GiB checkpoint in 512 MiB).
#   --workdir DIR   where everything goes (default: a fresh `mktemp -d`). It must be new or empty: it is removed
#                   at exit, unless --keep or the run failed.
#   --keep          keep the work directory at exit.
#
# Heaps are read from each JVM's GC log (-Xlog:gc) as PEAK/LIVE: PEAK is the most the heap held at any time (its
# occupancy before a collection; G1 lets garbage fill the heap it has, so this follows -Xmx more than the work), LIVE
# the most left after a collection (what the work held at once, at most). LIVE should not grow with --size-mib.
#
# Progress goes to stderr, the results to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"
theta_bin="$script_dir/../bin/theta"

usage() {
  awk '/^# Usage:/ { on = 1 } /^# Heaps are read/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}

source "$script_dir/lib/checkpoint-args.sh"
parse_checkpoint_args tensor-transfer.sh "$@"

bench=tensor-transfer
source "$script_dir/lib/common.sh"

# The client: its own HOME and git config, as in the conformance tests.
home="$workdir/home"
key="$workdir/id_ed25519"
mkdir -p "$home"
cat >"$home/.gitconfig" <<EOF
[credential]
	helper = store
EOF
ssh-keygen -q -t ed25519 -N "" -C "bench@tensor-transfer" -f "$key"
client_env=(
  "HOME=$home"
  "XDG_CONFIG_HOME=$home/.config"
  "GIT_CONFIG_NOSYSTEM=1"
  "GIT_TERMINAL_PROMPT=0"
  "GIT_SSH_COMMAND=ssh -F /dev/null -i $key -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$workdir/known_hosts -o StrictHostKeyChecking=accept-new"
  "LC_ALL=C"
)

# theta_timed NAME ARGS...: runs bin/theta as the client with the heap limit and a GC log, into NAME.out/.err;
# sets seconds to its elapsed time.
theta_timed() {
  local name="$1" t0 t1 rc=0
  shift
  t0="$(now)"
  env "${client_env[@]}" THETA_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$workdir/$name.gc.log" \
    "$theta_bin" "$@" >"$workdir/$name.out" 2>"$workdir/$name.err" || rc=$?
  t1="$(now)"
  if [ "$rc" -ne 0 ]; then
    tr '\r' '\n' <"$workdir/$name.err" | tail -n 20 | sed 's/^/    /' >&2
    fail "bin/theta $1 $2 exited $rc"
  fi
  seconds="$(elapsed "$t0" "$t1")"
}

# The transfer step's seconds and rate, from the client's last report: "... in 12.3 s, 87.10 MB/s".
transfer_step() { tr '\r' '\n' <"$1" | sed -n 's/.*\(uploaded\|downloaded\) .* in \([0-9.]*\) s, \([0-9.]*\) MB\/s.*/\2 s, \3 MB\/s/p' | tail -n 1; }
# The wire bytes a command printed: "N bytes sent, M received".
wire() { sed -n 's/.*; \([0-9]*\) bytes sent, \([0-9]*\) received.*/\1 \2/p' "$1"; }
mbps() { awk -v n="$data_bytes" -v s="$1" 'BEGIN { printf "%.1f", n / 1e6 / s }'; }

# -----------------------------------------------------------------------------------------------------------------
# The checkpoint.

checkpoint="$workdir/model.safetensors"
data_bytes=$((size_mib * 1048576))
generate_checkpoint "$checkpoint"
manifest="$workdir/model.manifest.json"
"$theta_bin" tensors manifest "$checkpoint" >"$manifest"

# -----------------------------------------------------------------------------------------------------------------
# Each transport against a daemon on an empty data directory.

declare -A up_s up_step up_wire down_s down_step down_wire daemon_heap daemon_rss client_heap

for t in ssh http; do
  start_thetahost "$workdir/data-$t" "-Xmx$heap -Xlog:gc:file=$workdir/serve-$t.gc.log"
  admin user add bench --ssh-key "$key.pub" >/dev/null
  token="$(admin token create bench)"
  admin repo create bench/model >/dev/null
  printf 'http://bench:%s@127.0.0.1:%s\n' "$token" "$http_port" >"$home/.git-credentials"
  chmod 600 "$home/.git-credentials"
  if [ "$t" = ssh ]; then url="ssh://bench@127.0.0.1:$ssh_port/bench/model.git"; else url="http://127.0.0.1:$http_port/bench/model.git"; fi

  log "$t: upload to $url"
  theta_timed "upload-$t" tensors upload "$url" "$checkpoint" --store "$workdir/store-up-$t"
  up_s[$t]="$seconds"; up_step[$t]="$(transfer_step "$workdir/upload-$t.err")"; up_wire[$t]="$(wire "$workdir/upload-$t.out")"
  log "$t: upload took $seconds s (transfer ${up_step[$t]})"

  log "$t: download into an empty store"
  out="$workdir/out-$t.safetensors"
  theta_timed "download-$t" tensors download "$url" "$manifest" --store "$workdir/store-down-$t" -o "$out"
  down_s[$t]="$seconds"; down_step[$t]="$(transfer_step "$workdir/download-$t.err")"; down_wire[$t]="$(wire "$workdir/download-$t.out")"
  log "$t: download took $seconds s (transfer ${down_step[$t]})"
  cmp -s "$checkpoint" "$out" || fail "$t: the downloaded checkpoint differs from the original (kept at $out)"
  log "$t: the downloaded checkpoint is identical"

  # The daemon's figures while it still runs; then free the disk for the next transport.
  daemon_rss[$t]="$(peak_rss)"
  stop_thetahost
  daemon_heap[$t]="$(peak_heap "$workdir/serve-$t.gc.log")"
  client_heap[$t]="$(peak_heap "$workdir/upload-$t.gc.log") up, $(peak_heap "$workdir/download-$t.gc.log") down"
  rm -rf "$workdir/data-$t" "$workdir/store-up-$t" "$workdir/store-down-$t" "$out"
done

# -----------------------------------------------------------------------------------------------------------------
# Results.

echo "tensor transfer benchmark: $tensors tensors of ${rows}x${cols} F32, $size_mib MiB ($(awk -v n="$data_bytes" 'BEGIN { printf "%.1f", n / 1e6 }') MB) of tensor data, loopback, $(nproc) cores"
echo "daemon and client at -Xmx$heap; each transport into an empty daemon store and an empty client store"
echo
printf '%-9s %-9s %8s %8s %-26s %-24s %-14s %-10s %s\n' transport direction "s" "MB/s" "transfer step" \
  "wire bytes (sent recv)" "daemon heap" "daemon RSS" "client heap"
for t in ssh http; do
  printf '%-9s %-9s %8s %8s %-26s %-24s %-14s %-10s %s\n' "$t" upload "${up_s[$t]}" "$(mbps "${up_s[$t]}")" \
    "${up_step[$t]}" "${up_wire[$t]}" "${daemon_heap[$t]}" "${daemon_rss[$t]}" "${client_heap[$t]}"
  printf '%-9s %-9s %8s %8s %-26s %-24s\n' "" download "${down_s[$t]}" "$(mbps "${down_s[$t]}")" \
    "${down_step[$t]}" "${down_wire[$t]}"
done
echo
echo "s, MB/s: the whole bin/theta command (upload: hash, store locally, send; download: receive, store, write -o)."
echo "transfer step: the client's own report of the protocol exchange alone. Heaps: PEAK/LIVE from each JVM's GC log"
echo "(PEAK: the most the heap held; LIVE: the most left after a collection); the daemon's over both directions."
succeeded=1
