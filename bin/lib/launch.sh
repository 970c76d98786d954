# Sourced by bin/thetahost and bin/theta: builds a module's runnable jar with Maven when it is missing or older than
# the sources it is made of, then runs it. A fresh clone needs nothing but a JDK 17 and Maven.
#
#   launch NAME MODULE JAR_NAME "SOURCE MODULES" "DEFAULT JVM OPTIONS" JAVA_OPTS_VARIABLE ARGS...
#
# The default JVM options bound the process's memory (the JVM's own default heap is a quarter of the machine, which
# grows with the machine, not with the work); the variable's options come after them, so an -Xmx there wins.

launch() {
  local name=$1 module=$2 jar_name=$3 modules=$4 default_opts=$5 opts_var=$6
  shift 6
  local root
  # This file's folder without running dirname (a process: a few milliseconds of every start).
  local lib="${BASH_SOURCE[0]%/*}"
  [ "$lib" != "${BASH_SOURCE[0]}" ] || lib=.
  root="$(cd "$lib/../.." && pwd)"
  local jar="$root/$module/target/$jar_name"

  stale() {
    [ -f "$jar" ] || return 0
    [ "$root/pom.xml" -nt "$jar" ] && return 0
    local dirs=()
    for m in $modules; do dirs+=("$root/$m/src/main" "$root/$m/pom.xml"); done
    [ -n "$(find "${dirs[@]}" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
  }

  # once_under_lock NEEDED DO: runs DO if NEEDED holds, checking again under the build lock: of the commands that
  # start at once, one does it; the others wait, then find it done.
  once_under_lock() {
    "$1" || return 0
    exec 9>"$root/.thetahost-build.lock"
    flock 9
    if "$1"; then "$2"; fi
    flock -u 9
  }

  build() {
    echo "$name: building with Maven (first use, or the sources changed)..." >&2
    (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests -pl "$module" -am package) >&2
    # Maven leaves a jar whose classes did not change as it was, older than the sources: mark it current.
    touch "$jar"
  }

  once_under_lock stale build
  # What git should run to call this command again (theta install writes it into git's configuration).
  export THETA_LAUNCHER="$root/bin/$name"
  # JVM warnings go to stderr, never stdout: a filter's stdout is git's protocol (DisplayVMOutputToStderr: the
  # VM's own messages, which unified logging does not cover, such as a warning about an option the system refuses).
  local logging="-Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr"
  local share=""
  if declare -F class_archive_warm_up >/dev/null; then
    local archive="$jar.jsa"
    unarchived() { [ ! "$archive" -nt "$jar" ] && [ ! "$archive.failed" -nt "$jar" ]; }
    make_archive() { archive_classes "$jar" "$archive" "$default_opts $logging"; }
    once_under_lock unarchived make_archive
    [ "$archive" -nt "$jar" ] && share="-XX:SharedArchiveFile=$archive"
  fi
  # RocksDB's Java loader runs `ldd /usr/bin/env | grep -q musl` (a shell, ldd and grep: about 50 ms of a filter's
  # start) to choose its glibc or musl library, unless ROCKSDB_MUSL_LIBC says. Where no musl loader exists at all the
  # answer is glibc; where one does (Alpine, or a glibc system with musl installed beside it), RocksDB asks.
  if [ -z "${ROCKSDB_MUSL_LIBC+set}" ] && ! compgen -G '/lib/ld-musl-*' >/dev/null; then
    export ROCKSDB_MUSL_LIBC=false
  fi
  # The variable named by opts_var (THETAHOST_JAVA_OPTS, THETA_JAVA_OPTS) passes JVM options, e.g. -Xmx512m.
  exec java $default_opts $logging $share ${!opts_var:-} -jar "$jar" "$@"
}

# archive_classes JAR ARCHIVE JAVA_OPTS: class data sharing for a command started often (git starts theta for every
# filter, hook and driver): the classes a representative run loads (class_archive_warm_up, given the java command to
# run) are archived once per build, and every later start maps them instead of loading them from the jars, about 0.1
# to 0.2 s less per start. Best effort: when the warm-up fails, commands run without the archive until the next build
# (ARCHIVE.failed, with the warm-up's output, says why).
archive_classes() {
  local jar=$1 archive=$2 opts=$3
  local tmp
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/theta-class-archive.XXXXXX")"
  if (class_archive_warm_up "$tmp" java $opts -XX:ArchiveClassesAtExit="$tmp/classes.jsa" -jar "$jar") \
      >"$tmp/warm-up.log" 2>&1 && [ -s "$tmp/classes.jsa" ]; then
    mv -f "$tmp/classes.jsa" "$archive"
  else
    mv -f "$tmp/warm-up.log" "$archive.failed"
  fi
  rm -rf "$tmp"
}

# transparent_huge_pages_option VAR: sets VAR to the JVM option that puts the heap on transparent huge pages where
# the kernel grants them on request (its setting "always" or "madvise"), and to nothing where it does not ("never", or
# no such setting): there the JVM would only warn. A variable, not output: command substitution costs a process.
transparent_huge_pages_option() {
  local setting="" option=""
  read -r setting 2>/dev/null </sys/kernel/mm/transparent_hugepage/enabled || true
  case "$setting" in
    *"[always]"* | *"[madvise]"*) option="-XX:+UseTransparentHugePages" ;;
  esac
  printf -v "$1" '%s' "$option"
}
