# bench/lib/common.sh: what the benchmarks share: the work directory, log lines, timing, and the life of one thetahost
# daemon.
#
# Source it after setting:
#   bench          the benchmark's name, for log lines and the work directory's name
#   workdir        the --workdir given, or empty for a fresh one
#   keep           1 to keep the work directory at exit
#   thetahost_bin  bin/thetahost
# Sourcing it makes the work directory and sets the EXIT trap; a benchmark sets succeeded=1 when it is done, and may
# define cleanup_hook (run at exit) and fail_hook (run by fail). It defines log, fail, now, elapsed, start_thetahost,
# admin, become_git_user, peak_rss, peak_heap and stop_thetahost; start_thetahost sets serve_pid, ssh_port, http_port
# and data. A benchmark may set the arrays serve_options (more options for serve) and admin_options (for admin
# commands), as bench/cluster-compare.sh does for fronts over shared state.

if [ -z "$workdir" ]; then
  workdir="$(mktemp -d "${TMPDIR:-/tmp}/$bench.XXXXXX")"
else
  mkdir -p "$workdir"
  if [ -n "$(ls -A "$workdir")" ]; then
    echo "$bench: --workdir $workdir is not empty; it is removed at exit, so give a new or empty one" >&2
    exit 2
  fi
fi
workdir="$(cd "$workdir" && pwd)"

succeeded=0
serve_pid=""
ssh_port=""
http_port=""
data=""
serve_out=""
serve_err=""

log() { echo "[$bench $(date +%H:%M:%S)] $*" >&2; }

fail() {
  log "FAILED: $*"
  if [ -n "$serve_pid" ]; then
    log "thetahost daemon stderr log: $serve_err"
    if [ -s "$serve_err" ]; then
      log "its last lines:"
      tail -n 30 "$serve_err" | sed 's/^/    /' >&2
    fi
  fi
  if declare -F fail_hook >/dev/null; then fail_hook; fi
  exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# start_thetahost DATA_DIR JAVA_OPTS: starts `bin/thetahost serve` on free ports and waits until it listens.
start_thetahost() {
  data="$1"
  local java_opts="$2" name
  name="$(basename "$data")"
  serve_out="$workdir/serve-$name.out"
  serve_err="$workdir/serve-$name.err"
  mkdir -p "$data"
  log "starting thetahost ($java_opts; bin/thetahost builds itself first if its jar is stale)"
  # bin/thetahost ends in `exec java`, so this PID is the JVM's: the one whose memory is measured.
  THETAHOST_JAVA_OPTS="$java_opts" "$thetahost_bin" serve --data "$data" --ssh-port 0 --http-port 0 \
    ${serve_options[@]+"${serve_options[@]}"} >"$serve_out" 2>"$serve_err" &
  serve_pid=$!
  ssh_port=""
  http_port=""
  # The limit allows for a Maven build on first use.
  local deadline=$((SECONDS + 300))
  while [ -z "$ssh_port" ] || [ -z "$http_port" ]; do
    if ! kill -0 "$serve_pid" 2>/dev/null; then
      # The JVM reports a failure to start (a bad -Xmx, say) on stdout, not stderr.
      [ -s "$serve_out" ] && sed 's/^/    /' "$serve_out" >&2
      fail "the thetahost daemon exited before it was listening (its stdout: $serve_out)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "the thetahost daemon did not say where it listens within 300 s"
    ssh_port="$(sed -n 's/^ssh listening on .*:\([0-9][0-9]*\)$/\1/p' "$serve_out" | head -n 1)"
    http_port="$(sed -n 's/^http listening on .*:\([0-9][0-9]*\)$/\1/p' "$serve_out" | head -n 1)"
    [ -n "$ssh_port" ] && [ -n "$http_port" ] || sleep 0.2
  done
  log "thetahost listening: ssh on 127.0.0.1:$ssh_port, http on 127.0.0.1:$http_port (pid $serve_pid)"
}

# admin ARGS...: bin/thetahost ARGS --data DATA, as an administrator runs it; prints its stdout.
admin() {
  local out rc=0
  out="$("$thetahost_bin" "$@" --data "$data" ${admin_options[@]+"${admin_options[@]}"} 2>"$workdir/admin.err")" \
    || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$workdir/admin.err" >&2
    fail "bin/thetahost $* exited $rc"
  fi
  printf '%s' "$out"
}

# become_git_user NAME: from here on this shell is NAME on the client side, as a person sets it up: a private HOME
# ($workdir/home) with an ed25519 key registered with the running daemon as user NAME, git's identity, and git's ssh
# pinned to that key. Sets home.
become_git_user() {
  local name="$1"
  home="$workdir/home"
  mkdir -p "$home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -f "$home/.ssh/id_ed25519" >/dev/null
  admin user add "$name" --ssh-key "$home/.ssh/id_ed25519.pub" >/dev/null
  export HOME="$home" XDG_CONFIG_HOME="$home/.config" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 LC_ALL=C
  export GIT_SSH_COMMAND="ssh -F /dev/null -i $home/.ssh/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$home/known_hosts -o StrictHostKeyChecking=accept-new"
  git config --global user.name "$name"
  git config --global user.email "$name@example.com"
  git config --global init.defaultBranch main
}

# The daemon's peak resident set so far (VmHWM), read while it runs.
peak_rss() {
  local hwm_kib
  hwm_kib="$(awk '/^VmHWM:/ { print $2 }' "/proc/$serve_pid/status" 2>/dev/null || true)"
  if [ -n "$hwm_kib" ]; then
    awk -v k="$hwm_kib" 'BEGIN { printf "%.0f MiB", k / 1024 }'
  else
    echo "unknown"
  fi
}

# Stops the daemon with SIGTERM, as a service manager would, and says if its log has complaints.
stop_thetahost() {
  [ -n "$serve_pid" ] || return 0
  log "stopping thetahost (SIGTERM)"
  kill -TERM "$serve_pid" 2>/dev/null || true
  local rc=0
  wait "$serve_pid" || rc=$?
  serve_pid=""
  [ "$rc" = 0 ] || log "WARNING: thetahost exited $rc after SIGTERM (expected 0); see $serve_err"
  # Anything the daemon complained about during the run is worth a look, even when every transfer succeeded.
  local complaints
  complaints="$(grep -c -E 'ERROR|WARN|Exception|OutOfMemory' "$serve_err" || true)"
  if [ "$complaints" != 0 ]; then
    log "WARNING: the thetahost stderr log has $complaints line(s) with ERROR/WARN/Exception; the first ones:"
    # awk, not grep | head: head closing the pipe early would fail the pipeline under pipefail.
    awk '/ERROR|WARN|Exception|OutOfMemory/ && n++ < 10 { print "    " $0 }' "$serve_err" >&2
  fi
}

# At exit: stops a daemon still running (waiting out its 30 s drain at most, then killing it), then removes the work
# directory unless --keep, or unless the run failed (its logs are in there).
bench_cleanup() {
  local rc=$?
  set +e
  if declare -F cleanup_hook >/dev/null; then cleanup_hook; fi
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null
    for _ in $(seq 1 400); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
  fi
  if [ "$keep" = 1 ]; then
    log "work directory kept: $workdir"
  elif [ "$succeeded" = 1 ]; then
    rm -rf "$workdir"
  else
    log "the run failed; work directory kept for its logs: $workdir (rm -rf it when done)"
  fi
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# From GC logs: the largest heap occupancy (before a collection, or after the last) and the largest left after a
# collection (what was live, an upper bound on what the work needed), as "PEAK/LIVE MiB".
peak_heap() {
  awk '
    match($0, /[0-9]+M->[0-9]+M\([0-9]+M\)/) {
      split(substr($0, RSTART, RLENGTH), a, /M->|M\(/)
      if (a[1] + 0 > peak) peak = a[1] + 0
      if (a[2] + 0 > peak) peak = a[2] + 0
      if (a[2] + 0 > live) live = a[2] + 0
    }
    END { if (peak == "") print "unknown"; else printf "%d/%d MiB\n", peak, live }' "$@"
}
