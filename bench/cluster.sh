#!/usr/bin/env bash
# cluster.sh: the two services several thetahost fronts share, run on this machine for tests and benchmarks: a
# PostgreSQL server (Debian's postgresql package, its own data directory and port under DIR, not the system service)
# and an S3-compatible server (s3proxy from Maven Central, its filesystem backend under DIR).
#
# Usage:
#   eval "$(bench/cluster.sh up DIR)"     start both (or find them running) and print the shell lines that point
#                                          fronts at them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
#                                          THETAHOST_CLUSTER_OPTIONS
#   bin/thetahost serve --data A $THETAHOST_CLUSTER_OPTIONS
#   bench/cluster.sh down DIR             stop both (DIR keeps their data; remove it to start afresh)
#   bench/cluster.sh env DIR              print the shell lines again
#
# Needs PostgreSQL's server binaries (apt-get install postgresql) and Maven (it fetches s3proxy once into ~/.m2). Run
# as root, PostgreSQL runs as the postgres user (initdb refuses root). Progress goes to stderr, the lines to eval to
# stdout.
set -euo pipefail

S3PROXY_VERSION=2.9.0
DATABASE=thetahost
BUCKET=thetahost
ACCESS_KEY=thetahost-local
SECRET_KEY=thetahost-local-secret

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 2 ] || { sed -n '/^# Usage:/,/^# stdout/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
action=$1
mkdir -p "$2"
dir="$(cd "$2" && pwd)"

pg_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do
    [ -x "$b/pg_ctl" ] && { echo "$b"; return; }
  done
  command -v pg_ctl >/dev/null && { dirname "$(command -v pg_ctl)"; return; }
  die "PostgreSQL's server binaries are missing: apt-get install postgresql"
}

# as_pg CMD...: runs a PostgreSQL server command as a user it accepts (postgres when we are root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A free TCP port on 127.0.0.1, kept in FILE so that up after down reuses it.
port_in() {
  local file=$1
  if [ ! -s "$file" ]; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$file"
  fi
  cat "$file"
}

wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$what did not come up; see its log under $dir"
}

postgres_up() {
  local bin port pgdata="$dir/postgres/data"
  bin="$(pg_bin)"
  port="$(port_in "$dir/postgres.port")"
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    say "initialising PostgreSQL in $pgdata"
    mkdir -p "$dir/postgres"
    if [ "$(id -u)" -eq 0 ]; then
      # The server runs as postgres: it must reach its folder through DIR (a private temporary one, say).
      chmod a+x "$dir"
      chown postgres "$dir/postgres"
      as_pg test -x "$dir/postgres" || die "PostgreSQL runs as the postgres user, who cannot reach $dir (a folder on the way is private to root); give a DIR every user can pass through, such as one made directly under /tmp"
    fi
    as_pg "$bin/initdb" -D "$pgdata" -U thetahost --auth=trust -E UTF8 >"$dir/postgres/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bin/pg_ctl" -D "$pgdata" -l "$dir/postgres/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/postgres -c max_connections=200" start >/dev/null
  fi
  wait_for PostgreSQL 60 "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U thetahost -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U thetahost "$DATABASE"
  fi
}

postgres_down() {
  local pgdata="$dir/postgres/data"
  [ -s "$pgdata/PG_VERSION" ] || return 0
  if as_pg "$(pg_bin)/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    say "stopping PostgreSQL"
    as_pg "$(pg_bin)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
  fi
}

s3proxy_jar() {
  local jar="$HOME/.m2/repository/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
  if [ ! -s "$jar" ]; then
    say "fetching s3proxy $S3PROXY_VERSION with Maven"
    mvn -B -q dependency:get -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" >&2
  fi
  [ -s "$jar" ] || die "could not fetch s3proxy $S3PROXY_VERSION"
  echo "$jar"
}

s3_up() {
  local port jar pid_file="$dir/s3/s3proxy.pid"
  port="$(port_in "$dir/s3.port")"
  mkdir -p "$dir/s3/blobs/$BUCKET"
  if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    return 0
  fi
  jar="$(s3proxy_jar)"
  cat >"$dir/s3/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/s3/blobs
EOF
  say "starting s3proxy on 127.0.0.1:$port (filesystem backend in $dir/s3/blobs)"
  nohup java -Xmx256m -jar "$jar" --properties "$dir/s3/s3proxy.conf" >"$dir/s3/s3proxy.log" 2>&1 &
  echo $! >"$pid_file"
  # Any HTTP answer means it listens (anonymous requests are refused with 403).
  wait_for s3proxy 120 curl -s -o /dev/null "http://127.0.0.1:$port/"
}

s3_down() {
  local pid_file="$dir/s3/s3proxy.pid"
  if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    say "stopping s3proxy"
    kill "$(cat "$pid_file")"
    for _ in $(seq 20); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pid_file"
}

print_env() {
  local pg_port s3_port
  pg_port="$(cat "$dir/postgres.port")"
  s3_port="$(cat "$dir/s3.port")"
  echo "export AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "export AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "export THETAHOST_CLUSTER_OPTIONS='--database postgresql://thetahost@127.0.0.1:$pg_port/$DATABASE" \
    "--object-store s3://$BUCKET --s3-endpoint http://127.0.0.1:$s3_port --s3-region us-east-1'"
}

case "$action" in
  up)
    postgres_up
    s3_up
    print_env
    ;;
  down)
    s3_down
    postgres_down
    ;;
  env)
    [ -s "$dir/postgres.port" ] && [ -s "$dir/s3.port" ] || die "no cluster in $dir: run up first"
    print_env
    ;;
  *)
    die "unknown action '$action': up, down or env"
    ;;
esac
