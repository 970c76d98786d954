#!/usr/bin/env bash
# hostile-load.sh: does the daemon stay up, and within its descriptors and memory, under a connection flood and
# under many clones at once?
#
# A benchmark, not a test (the tests flood with hundreds of connections; this one with the tens of thousands an
# attacker would open). Two parts, each against a fresh daemon on its default limits:
#
#   flood   N connections opened as fast as the machine allows to both ports, half idle, half stopped part way
#           through a request line or an SSH version line, held open: first all from 127.0.0.2, then spread over
#           200 addresses (127.0.0.2-201, each within the per-address limit, together far past the others). While
#           each flood is held, one git clone over SSH and one over HTTP from 127.0.0.1, timed against the same
#           clones before the flood. Prints the daemon's peak open descriptors (against its limit), how many flood
#           connections it kept open at most, how long until it had closed them all, and its log lines about them.
#   clones  K clones at once (half over HTTP, half over SSH, each with theta's filter downloading the tensors) of a
#           checkpoint of M MiB, with the daemon at -Xmx512m. Every clone is compared with the original (cmp).
#           Prints the wall time, the daemon's peak resident set (VmHWM), its peak and live heap (GC log) and its
#           peak open descriptors.
#
# Usage: bench/hostile-load.sh [--connections N] [--clones K] [--size-mib M] [--only flood|clones]
#                              [--workdir DIR] [--keep]
#   --connections N  flood size (default 20000; the client's own descriptor limit is raised to its hard limit)
#   --clones K       concurrent clones (default 32)
#   --size-mib M     the cloned checkpoint's size (default 256)
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
connections=20000
clones=32
size_mib=256
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections="${2:?--connections needs a number}"; shift 2 ;;
    --clones) clones="${2:?--clones needs a number}"; shift 2 ;;
    --size-mib) size_mib="${2:?--size-mib needs a number}"; shift 2 ;;
    --only) only="${2:?--only needs flood or clones}"; shift 2 ;;
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "hostile-load.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
case "$only" in ""|flood|clones) ;; *) echo "hostile-load.sh: --only takes flood or clones" >&2; exit 2 ;; esac

bench="hostile-load"
source "$script_dir/lib/common.sh"
cleanup_hook() { stop_thetahost; }

# The daemon's open descriptors, sampled every 100 ms into FILE until the sampler is killed.
sample_descriptors() {
  local file="$1"
  while kill -0 "$serve_pid" 2>/dev/null; do
    ls "/proc/$serve_pid/fd" 2>/dev/null | wc -l >>"$file"
    sleep 0.1
  done
}
peak_of() { sort -n "$1" | tail -n 1; }
descriptor_limit() { awk '/^Max open files/ { print $4 }' "/proc/$serve_pid/limits"; }

# A small repository alice owns, for the clones during the flood. Sets url_ssh and url_http.
seed_repository() {
  admin repo create alice/small >/dev/null
  local token
  token="$(admin token create alice)"
  git init -q "$workdir/seed"
  echo "# small" >"$workdir/seed/README.md"
  (cd "$workdir/seed" && git add README.md && git commit -qm seed)
  url_ssh="ssh://alice@127.0.0.1:$ssh_port/alice/small.git"
  url_http="http://alice:$token@127.0.0.1:$http_port/alice/small.git"
  git -C "$workdir/seed" push -q "$url_ssh" HEAD:main
}

# timed_clone URL DIR: prints the seconds a clone took, or fails.
timed_clone() {
  local t0 t1
  t0="$(now)"
  timeout 120 git clone -q "$1" "$2" 2>"$2.err" || fail "git clone $1 failed: $(cat "$2.err")"
  t1="$(now)"
  elapsed "$t0" "$t1"
}

flood_part() {
  start_thetahost "$workdir/flood-data" "-Xmx512m"
  become_git_user alice
  seed_repository
  local calm_ssh calm_http
  calm_ssh="$(timed_clone "$url_ssh" "$workdir/calm-ssh")"
  calm_http="$(timed_clone "$url_http" "$workdir/calm-http")"
  local before limit
  before="$(ls "/proc/$serve_pid/fd" | wc -l)"
  limit="$(descriptor_limit)"
  echo "flood: $connections connections to each port; the daemon's descriptor limit is $limit, $before open before"
  echo "  clones before the flood: ssh ${calm_ssh}s, http ${calm_http}s"
  for spread in 1 200; do
    local samples="$workdir/fds-$spread" report="$workdir/flood-$spread.txt"
    : >"$samples"
    sample_descriptors "$samples" &
    local sampler=$!
    python3 -c "$python_flooder" "$ssh_port" "$http_port" "$connections" "$spread" >"$report" \
      2>"$workdir/flood-$spread.err" &
    local flooder=$!
    # The clones start once a fifth of the flood is open (the flooder says so on stderr), and run while the rest is.
    local deadline=$((SECONDS + 300))
    until grep -q "flood under way" "$workdir/flood-$spread.err" 2>/dev/null; do
      kill -0 "$flooder" 2>/dev/null || fail "the flooder stopped: $(cat "$workdir/flood-$spread.err")"
      [ "$SECONDS" -lt "$deadline" ] || fail "the flood did not open within 300 s"
      sleep 0.2
    done
    local during_ssh during_http
    during_ssh="$(timed_clone "$url_ssh" "$workdir/flood-ssh-$spread")"
    during_http="$(timed_clone "$url_http" "$workdir/flood-http-$spread")"
    wait "$flooder" || fail "the flooder failed: $(cat "$workdir/flood-$spread.err")"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    echo "  from $spread address(es): $(cat "$report")"
    echo "    clones during the flood: ssh ${during_ssh}s, http ${during_http}s;" \
      "the daemon's open descriptors peaked at $(peak_of "$samples") (limit $limit)"
  done
  echo "  the daemon's log lines about refused or shed connections: $(grep -c -E 'refused a connection|closed a connection' "$serve_err" || true)"
  stop_thetahost
}
python_flooder=$(cat <<'EOF'
import os, resource, select, socket, sys, time
ssh_port, http_port, n, spread = (int(a) for a in sys.argv[1:5])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
budget = hard - 64
open_socks, opened, refused, failed = [], 0, 0, 0
started = time.time()
poller = select.epoll()
def reap(timeout=0):
    global refused
    for fd, _ in poller.poll(timeout):
        s = socks_by_fd.pop(fd, None)
        if s is None:
            continue
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    raise ConnectionResetError
                if len(d) < 65536:
                    break
            socks_by_fd[fd] = s
            continue
        except BlockingIOError:
            socks_by_fd[fd] = s
            continue
        except OSError:
            pass
        poller.unregister(fd)
        s.close()
        refused += 1
socks_by_fd = {}
peak_held = 0
for i in range(2 * n):
    if len(socks_by_fd) >= budget:
        reap(0.05)
        if len(socks_by_fd) >= budget:
            failed += 1
            continue
    port = ssh_port if i % 2 == 0 else http_port
    s = socket.socket()
    s.bind(("127.0.0.%d" % (2 + (i // 2) % spread), 0))
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        s.close(); failed += 1; continue
    if (i // 2) % 2:
        try:
            s.send(b"GET /alice/small.git/info/refs HTT" if port == http_port else b"SSH-2.0-flo")
        except OSError:
            pass
    s.setblocking(False)
    socks_by_fd[s.fileno()] = s
    poller.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
    opened += 1
    if i % 500 == 0:
        reap(0)
    if i == n // 5:
        print("flood under way", file=sys.stderr, flush=True)
    peak_held = max(peak_held, len(socks_by_fd))
open_seconds = time.time() - started
last_opened = time.time()
deadline = time.time() + 120
while socks_by_fd and time.time() < deadline:
    reap(0.5)
print("opened %d connections in %.1f s (%d failed to connect); at most %d open at once on the flood's side; "
      "the daemon had closed %s %.1f s after the last was opened" % (opened, open_seconds, failed, peak_held,
      "all of them" if not socks_by_fd else "all but %d" % len(socks_by_fd), time.time() - last_opened))
EOF
)

clones_part() {
  start_thetahost "$workdir/clone-data" "-Xmx512m -Xlog:gc:file=$workdir/daemon-gc.log"
  become_git_user alice
  "$theta_bin" install >/dev/null
  admin repo create alice/big >/dev/null
  local token tensors
  token="$(admin token create alice)"
  tensors=$((size_mib / 4))
  log "writing a checkpoint of $tensors tensors of 1024x1024 F32 ($size_mib MiB)"
  java "$script_dir/GenerateCheckpoint.java" "$workdir/model.safetensors" "$tensors" 1024 1024 7 >/dev/null
  git clone -q "ssh://alice@127.0.0.1:$ssh_port/alice/big.git" "$workdir/origin" 2>/dev/null
  (cd "$workdir/origin" && "$theta_bin" track model.safetensors >/dev/null \
    && cp "$workdir/model.safetensors" . && git add model.safetensors .gitattributes \
    && git commit -qm "a checkpoint" && git push -q origin HEAD:main 2>/dev/null) || fail "the push failed"
  local samples="$workdir/fds-clones"
  : >"$samples"
  sample_descriptors "$samples" &
  local sampler=$!
  log "cloning $clones times at once"
  local t0 t1 pids=() i url
  t0="$(now)"
  for i in $(seq 1 "$clones"); do
    if [ $((i % 2)) = 0 ]; then
      url="ssh://alice@127.0.0.1:$ssh_port/alice/big.git"
    else
      url="http://alice:$token@127.0.0.1:$http_port/alice/big.git"
    fi
    # Each clone's filter is a JVM: at its default heap (a quarter of the machine) 32 of them outgrow the memory of
    # a 24 GiB machine and the kernel kills some. The daemon is what is measured here.
    THETA_JAVA_OPTS="${THETA_JAVA_OPTS:--Xmx256m}" git clone -q "$url" "$workdir/clone-$i" 2>"$workdir/clone-$i.err" &
    pids+=($!)
  done
  local failed=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { failed=$((failed + 1)); log "clone $((i + 1)) failed: $(tail -n 3 "$workdir/clone-$((i + 1)).err")"; }
  done
  t1="$(now)"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  [ "$failed" = 0 ] || fail "$failed of $clones clones failed"
  for i in $(seq 1 "$clones"); do
    cmp -s "$workdir/model.safetensors" "$workdir/clone-$i/model.safetensors" \
      || fail "clone $i's checkpoint differs from the one pushed"
  done
  echo "clones: $clones at once ($((clones - clones / 2)) over HTTP, $((clones / 2)) over SSH) of a $size_mib MiB" \
    "checkpoint, daemon at -Xmx512m: all byte-identical in $(elapsed "$t0" "$t1") s"
  echo "  daemon peak resident set $(peak_rss), heap peak/live $(peak_heap "$workdir/daemon-gc.log")," \
    "open descriptors at most $(peak_of "$samples") (limit $(descriptor_limit))"
  stop_thetahost
}

if [ -z "$only" ] || [ "$only" = flood ]; then
  flood_part
fi
if [ -z "$only" ] || [ "$only" = clones ]; then
  clones_part
fi
succeeded=1
