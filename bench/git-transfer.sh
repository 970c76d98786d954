#!/usr/bin/env bash
# git-transfer.sh: how fast does thetahost move one large file, next to stock `git daemon`?
#
# A benchmark, not a test. On loopback it pushes a repository holding one file of N MiB of incompressible bytes to an
# empty remote repository, then clones it back, over three transports:
#
#   git-daemon      stock `git daemon` (git://), started here; the baseline
#   thetahost-ssh   the real thetahost daemon (bin/thetahost serve) over SSH, with an ed25519 key
#   thetahost-http  the same daemon over smart HTTP, with a token from git's `store` credential helper
#
# and prints, per transport, the elapsed seconds and throughput (MB/s, MB = 10^6 bytes of the file) of the push and of
# the clone, and each thetahost time relative to git daemon's.
#
# Usage: bench/git-transfer.sh [--size-mib N] [--workdir DIR] [--heap 512m] [--keep] [--git-unpack-limit N]
#
#   --size-mib N   size of the file, in MiB (default 1024). A 1 GiB run needs about 6 GiB of disk.
#   --workdir DIR  where everything goes (default: a fresh `mktemp -d` under $TMPDIR or /tmp). DIR must not exist
#                  or be empty, because it is removed at exit.
#   --heap SIZE    the daemon's maximum heap, passed as THETAHOST_JAVA_OPTS=-XmxSIZE (default 512m: the daemon must
#                  serve a 1 GiB file within a 512 MiB heap).
#   --keep         keep the work directory at exit. After a failure it is always kept, so that the logs it names
#                  can be read.
#   --git-unpack-limit N
#                  receive.unpackLimit of git daemon's repository (default 1: keep the pushed pack, as thetahost
#                  does; 100 is git's own default, see below).
#
# Progress goes to stderr, the results table to stdout.
#
# Choices that make the comparison fair, and why:
#  * Every transport runs with the same client: one isolated HOME and git config, git's default compression
#    settings (what a user gets), the same source repository.
#  * The source repository is packed (`git repack -a -d`) before anything is timed. pack-objects then reuses the
#    compressed blob as it is, so a push measures the transfer and the server's side of it, not the client deflating
#    the file again, which would cost the same on every transport and only blur the differences.
#  * git daemon's repository keeps the pack it receives (receive.unpackLimit=1), as thetahost (JGit) always does.
#    With git's default limit of 100 objects, a push of this 3-object repository is exploded into loose objects,
#    and every clone then deflates the whole file again at the default level (~20-30 MB/s of random data here):
#    the baseline would measure zlib, not the transfer. `--git-unpack-limit 100` measures that stock behaviour.
#  * Only the network operations are timed: `git push URL main` into an empty repository, and
#    `git clone --no-checkout URL DIR` into a fresh directory. The clone's own index-pack (inflating and hashing what
#    arrives) is included, as it is part of receiving; writing out the work tree is not, since it is the same local
#    work on every transport. It is checked out right afterwards, untimed, and compared with the original with cmp.
#  * Each transport is measured once, cold: git daemon first, then thetahost over SSH, then over HTTP. The JVM's
#    warm-up is therefore inside thetahost's first push; with a 1 GiB file it is a small part of it.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
thetahost_bin="$script_dir/../bin/thetahost"

size_mib=1024
workdir=""
heap="512m"
keep=0
git_unpack_limit=1

# Prints the Usage paragraph of the header above.
usage() {
  awk '/^# Usage:/ { on = 1 } /^# Progress goes/ { exit } on { sub(/^# ?/, ""); print }' "$0" >&2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) size_mib="${2:?--size-mib needs a number}"; shift 2 ;;
    --size-mib=*) size_mib="${1#*=}"; shift ;;
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --workdir=*) workdir="${1#*=}"; shift ;;
    --heap) heap="${2:?--heap needs a size, e.g. 512m}"; shift 2 ;;
    --heap=*) heap="${1#*=}"; shift ;;
    --keep) keep=1; shift ;;
    --git-unpack-limit) git_unpack_limit="${2:?--git-unpack-limit needs a number}"; shift 2 ;;
    --git-unpack-limit=*) git_unpack_limit="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "git-transfer.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
if ! [[ "$size_mib" =~ ^[1-9][0-9]*$ ]]; then
  echo "git-transfer.sh: --size-mib must be a positive whole number, not '$size_mib'" >&2
  exit 2
fi
if ! [[ "$git_unpack_limit" =~ ^[0-9]+$ ]]; then
  echo "git-transfer.sh: --git-unpack-limit must be a whole number, not '$git_unpack_limit'" >&2
  exit 2
fi
if ! [[ "$heap" =~ ^[1-9][0-9]*[kKmMgG]?$ ]]; then
  echo "git-transfer.sh: --heap must look like 512m or 2g, not '$heap'" >&2
  exit 2
fi
for tool in git ssh ssh-keygen java cmp awk timeout; do
  command -v "$tool" >/dev/null || { echo "git-transfer.sh: $tool is needed but not found" >&2; exit 2; }
done

size_bytes=$((size_mib * 1024 * 1024))
# A generous ceiling for one git operation (at least 10 minutes, or 2 s per MiB), so a hang ends the run.
op_timeout=$((size_mib * 2 > 600 ? size_mib * 2 : 600))

bench=git-transfer
source "$script_dir/lib/common.sh"

gd_pid=""
gd_log="$workdir/git-daemon.log"
# At exit, git daemon stops too.
cleanup_hook() {
  if [ -n "$gd_pid" ] && kill -0 "$gd_pid" 2>/dev/null; then
    kill -TERM "$gd_pid" 2>/dev/null
    wait "$gd_pid" 2>/dev/null
  fi
}

fail_hook() {
  if [ -n "$gd_pid" ]; then log "git daemon log: $gd_log"; fi
}

# The client: its own HOME and config, nothing from the machine's or the user's git or ssh configuration. Only git
# runs with it; bin/thetahost keeps the real HOME (it may need to run Maven, and Maven its ~/.m2).
home="$workdir/home"
key="$workdir/id_ed25519"
mkdir -p "$home"
client_env=(
  "HOME=$home"
  "XDG_CONFIG_HOME=$home/.config"
  "GIT_CONFIG_NOSYSTEM=1"
  "GIT_TERMINAL_PROMPT=0"
  "GIT_SSH_COMMAND=ssh -F /dev/null -i $key -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$workdir/known_hosts -o StrictHostKeyChecking=accept-new"
  "LC_ALL=C"
)
cgit() { env "${client_env[@]}" git "$@"; }

# Runs one git command as the client, its output into LOG; fails the run, saying why, if it does not succeed.
run_git() {
  local what="$1" glog="$2"
  shift 2
  local rc=0
  env "${client_env[@]}" timeout "$op_timeout" git "$@" >"$glog" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "git $* exited $rc$([ "$rc" = 124 ] && echo " (timed out after ${op_timeout}s)"); its output ($glog):"
    tail -n 30 "$glog" | sed 's/^/    /' >&2
    fail "$what"
  fi
}

mbps() { awk -v n="$size_bytes" -v s="$1" 'BEGIN { printf "%.1f", (s > 0 ? n / 1e6 / s : 0) }'; }
# A thetahost time relative to git daemon's: 2.00x means it took twice as long.
ratio() { awk -v t="$1" -v base="$2" 'BEGIN { printf "%.2fx", (base > 0 ? t / base : 0) }'; }

# ---------------------------------------------------------------------------------------------------------------------
# The client's configuration, the key, and the source repository with the one large file.

cat >"$home/.gitconfig" <<EOF
[user]
	name = bench
	email = bench@example.com
[init]
	defaultBranch = main
[advice]
	detachedHead = false
EOF
ssh-keygen -q -t ed25519 -N "" -C "bench@git-transfer" -f "$key"

src="$workdir/src"
cgit init -q "$src"
log "generating $size_mib MiB of random bytes"
if command -v openssl >/dev/null; then
  # Far faster than /dev/urandom; the bytes only need to be incompressible, not secret.
  openssl rand -out "$src/big.bin" "$size_bytes"
else
  head -c "$size_bytes" /dev/urandom >"$src/big.bin"
fi
[ "$(stat -c %s "$src/big.bin")" = "$size_bytes" ] || fail "the data file has the wrong size"
log "committing it and packing the source repository (untimed)"
run_git "commit the data file" "$workdir/src-add.log" -C "$src" add big.bin
run_git "commit the data file" "$workdir/src-commit.log" -C "$src" commit -q -m "one large file"
run_git "pack the source repository" "$workdir/src-repack.log" -C "$src" repack -a -d -q

# ---------------------------------------------------------------------------------------------------------------------
# Measuring one transport: push into an empty repository, clone it back, check the file.

declare -A push_s clone_s

# measure NAME PUSH_URL CLONE_URL
measure() {
  local name="$1" push_url="$2" clone_url="$3"
  local t0 t1 clone_dir="$workdir/clone-$1"

  log "$name: push ($push_url)"
  t0="$(now)"
  run_git "$name push" "$workdir/$name-push.log" -C "$src" push -q "$push_url" main
  t1="$(now)"
  push_s[$name]="$(elapsed "$t0" "$t1")"
  log "$name: push took ${push_s[$name]} s"

  log "$name: clone ($clone_url)"
  t0="$(now)"
  run_git "$name clone" "$workdir/$name-clone.log" clone -q --no-checkout "$clone_url" "$clone_dir"
  t1="$(now)"
  clone_s[$name]="$(elapsed "$t0" "$t1")"
  log "$name: clone took ${clone_s[$name]} s"

  run_git "$name checkout" "$workdir/$name-checkout.log" -C "$clone_dir" checkout -q main
  if ! cmp -s "$src/big.bin" "$clone_dir/big.bin"; then
    fail "$name: the cloned big.bin differs from the original (kept at $clone_dir/big.bin)"
  fi
  log "$name: the cloned file matches the original"
  rm -rf "$clone_dir"
}

# ---------------------------------------------------------------------------------------------------------------------
# 1. Stock git daemon, the baseline.

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    local p
    while :; do
      p=$((20000 + RANDOM % 40000))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  fi
}

gd_base="$workdir/git-daemon"
mkdir -p "$gd_base"
cgit init -q --bare "$gd_base/bench.git"
cgit -C "$gd_base/bench.git" config receive.unpackLimit "$git_unpack_limit"
# The port is free when chosen but could be taken before git daemon binds it; then try another.
gd_port=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  env "${client_env[@]}" git daemon --verbose --reuseaddr --listen=127.0.0.1 --port="$port" \
    --base-path="$gd_base" --export-all --enable=receive-pack "$gd_base" >"$gd_log" 2>&1 &
  gd_pid=$!
  for _ in $(seq 1 100); do
    grep -q "Ready to rumble" "$gd_log" 2>/dev/null && break
    kill -0 "$gd_pid" 2>/dev/null || break
    sleep 0.1
  done
  if grep -q "Ready to rumble" "$gd_log" 2>/dev/null && kill -0 "$gd_pid" 2>/dev/null; then
    gd_port="$port"
    break
  fi
  kill -TERM "$gd_pid" 2>/dev/null || true
  wait "$gd_pid" 2>/dev/null || true
  gd_pid=""
done
[ -n "$gd_port" ] || { cat "$gd_log" >&2; fail "git daemon did not start"; }
log "git daemon listening on 127.0.0.1:$gd_port"

measure git-daemon "git://127.0.0.1:$gd_port/bench.git" "git://127.0.0.1:$gd_port/bench.git"
kill -TERM "$gd_pid" 2>/dev/null || true
wait "$gd_pid" 2>/dev/null || true
gd_pid=""
rm -rf "$gd_base"   # its copy of the file is no longer needed; frees the disk for the next transport

# ---------------------------------------------------------------------------------------------------------------------
# 2, 3. The thetahost daemon, over SSH and over HTTP.

start_thetahost "$workdir/data" "-Xmx$heap"

# Admin setup, with the same binary and data directory, as an administrator would.
admin user add bench --ssh-key "$key.pub" >/dev/null
token="$(admin token create bench)"
[ -n "$token" ] && [ "$(printf '%s\n' "$token" | wc -l)" = 1 ] || fail "token create did not print one token line"
admin repo create bench/ssh >/dev/null
admin repo create bench/http >/dev/null

# git's own credential store holds the token, as a user would keep it.
printf 'http://bench:%s@127.0.0.1:%s\n' "$token" "$http_port" >"$home/.git-credentials"
chmod 600 "$home/.git-credentials"
cgit config --global credential.helper store

measure thetahost-ssh "ssh://bench@127.0.0.1:$ssh_port/bench/ssh.git" "ssh://bench@127.0.0.1:$ssh_port/bench/ssh.git"
measure thetahost-http "http://127.0.0.1:$http_port/bench/http.git" "http://127.0.0.1:$http_port/bench/http.git"

# The JVM's peak resident set over the whole run (VmHWM), read while it still runs.
daemon_rss="$(peak_rss) (process $serve_pid)"
stop_thetahost

# ---------------------------------------------------------------------------------------------------------------------
# Results.

echo "git transfer benchmark: one file of $size_mib MiB ($size_bytes bytes, $(awk -v n="$size_bytes" 'BEGIN { printf "%.1f", n / 1e6 }') MB), loopback"
echo "git $(git --version | awk '{ print $3 }') (git daemon receive.unpackLimit=$git_unpack_limit); thetahost heap -Xmx$heap; thetahost peak RSS: $daemon_rss"
echo
printf '%-15s %8s %10s %19s %9s %11s %20s\n' \
  transport "push s" "push MB/s" "push vs git-daemon" "clone s" "clone MB/s" "clone vs git-daemon"
for name in git-daemon thetahost-ssh thetahost-http; do
  printf '%-15s %8s %10s %19s %9s %11s %20s\n' "$name" \
    "${push_s[$name]}" "$(mbps "${push_s[$name]}")" "$(ratio "${push_s[$name]}" "${push_s[git-daemon]}")" \
    "${clone_s[$name]}" "$(mbps "${clone_s[$name]}")" "$(ratio "${clone_s[$name]}" "${clone_s[git-daemon]}")"
done
echo
echo "vs git-daemon: elapsed time relative to git daemon (2.00x = took twice as long; MB/s ratio is its inverse)."
echo "Timed: git push into an empty repository; git clone --no-checkout (the checkout and cmp check come after)."
succeeded=1
