#!/usr/bin/env bash
# read-http.sh: the server's HTTP read side (GET /OWNER/NAME/-/raw/REV/PATH) on a large bf16 checkpoint, side by side
# with the same bytes served from disk by `python3 -m http.server` in the same run, as ratios (these machines are
# noisy: the ratio means more than the seconds).
#
# A benchmark, not a test (needs python3 with numpy, and curl). It writes a bf16 checkpoint of N MiB (matrices of
# 2048 x 2048 and 32 norm vectors of 2048, as bench/lfs-compare.sh does), pushes it to a fresh thetahost daemon
# (-Xmx512m) the way a person does (git clone over SSH, theta track, git add, commit, git push), and serves the
# original file from its folder with python3 -m http.server. Then, with curl, from a private repository with a token:
#
#   download        the whole file: the first request (theta computes the file's sha256, its ETag, and keeps it)
#                   on its own, then twice each in the order theta, disk, disk, theta; MB/s, means of the two
#   include         ?include=GLOB selecting about 1% of the bytes (layers.000.* at 1 GiB): the first request
#                   (ETag computed) on its own, then the median of 5 each, against the very bytes theta sent,
#                   saved once and served from disk
#   header range    time to first byte of Range: bytes=0-7 and of the whole safetensors header (8 + N bytes, N the
#                   little-endian u64 the file starts with), median of 5; python's http.server ignores Range, so
#                   its anchor is the time to first byte of a plain GET (curl stops reading after the headers)
#   memory          the daemon's peak resident set over the HTTP part (its VmHWM, reset when the push is done, and
#                   VmRSS sampled every 50 ms), against the python server's
#
# It checks that the downloaded file is the original byte for byte (once), that the ETag is its sha256, that the
# subset is a valid safetensors file holding the original's tensors, and that the ranges are the original's bytes.
#
# Usage: bench/read-http.sh [--size-mib N] [--workdir DIR] [--keep]
#   --size-mib N  the checkpoint's size (default 1024; a multiple of 8; needs about 4 x N of disk)
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
    *) echo "read-http.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
done
[[ "$size_mib" =~ ^[1-9][0-9]*$ ]] && [ $((size_mib % 8)) = 0 ] \
  || { echo "read-http.sh: --size-mib must be a positive multiple of 8" >&2; exit 2; }
python3 -c 'import numpy' 2>/dev/null || { echo "read-http.sh: python3 with numpy is needed" >&2; exit 2; }
for tool in curl java git ssh ssh-keygen cmp awk sha256sum; do
  command -v "$tool" >/dev/null || { echo "read-http.sh: $tool is needed but not found" >&2; exit 2; }
done

bench="read-http"
source "$script_dir/lib/common.sh"
disk_pid=""
sampler_pid=""
cleanup_hook() {
  # Only the processes this script started, by their ids.
  [ -z "$sampler_pid" ] || { kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null; }
  [ -z "$disk_pid" ] || { kill "$disk_pid" 2>/dev/null; wait "$disk_pid" 2>/dev/null; }
  stop_thetahost
}

matrices=$((size_mib / 8))
disk="$workdir/disk"
mkdir -p "$disk"
original="$disk/model.safetensors"
log "writing the checkpoint: $matrices bf16 matrices of 2048 x 2048 and 32 norm vectors"
python3 - "$original" "$matrices" <<'EOF'
import json, struct, sys, numpy as np
out, matrices = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(42)

def bf16(a):
    # round to nearest even, as torch does
    bits = a.astype(np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)

shapes = [("layers.%03d.weight" % i, (2048, 2048)) for i in range(matrices)]
shapes += [("norms.%02d.weight" % i, (2048,)) for i in range(32)]
header, offset = {}, 0
for name, shape in shapes:
    nbytes = 2 * int(np.prod(shape))
    header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
    offset += nbytes
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
# One tensor in memory at a time.
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for i in range(matrices):
        f.write(bf16(rng.standard_normal((2048, 2048), dtype=np.float32) * 0.02).tobytes())
    for i in range(32):
        f.write(bf16(1 + rng.standard_normal(2048, dtype=np.float32) * 0.01).tobytes())
EOF
file_bytes="$(stat -c %s "$original")"

start_thetahost "$workdir/data" "-Xmx512m"
become_git_user alice
unset THETA_JAVA_OPTS
"$theta_bin" install >/dev/null
admin repo create alice/model >/dev/null
token="$(admin token create alice)"
[ -n "$token" ] && [ "$(printf '%s\n' "$token" | wc -l)" = 1 ] || fail "token create did not print one token line"

# The push, as a person makes it: clone over SSH, track, add, commit, push.
clone="$workdir/clone"
git clone -q "ssh://alice@127.0.0.1:$ssh_port/alice/model.git" "$clone" 2>/dev/null
(cd "$clone" && "$theta_bin" track model.safetensors >/dev/null && git add .gitattributes && git commit -qm attributes)
cp "$original" "$clone/model.safetensors"
t0="$(now)"
(cd "$clone" && git add model.safetensors && git commit -qm checkpoint) >"$workdir/add.out" 2>&1 \
  || fail "git add of the checkpoint failed: $(tail -n 5 "$workdir/add.out")"
t1="$(now)"
(cd "$clone" && git push -q origin HEAD:main) >"$workdir/push.out" 2>&1 \
  || fail "git push failed: $(tail -n 5 "$workdir/push.out")"
t2="$(now)"
log "git add $(elapsed "$t0" "$t1") s, git push $(elapsed "$t1" "$t2") s"
# The clone's copy and store are not needed any more; their pages would only compete for the cache.
rm -rf "$clone"

# The anchor: python's file server in the folder holding the original checkpoint (port 0: it says which it took).
log "starting python3 -m http.server in $disk"
python3 -u -m http.server --bind 127.0.0.1 0 --directory "$disk" >"$workdir/disk-server.out" \
  2>"$workdir/disk-server.err" &
disk_pid=$!
disk_port=""
for _ in $(seq 1 100); do
  disk_port="$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\) .*/\1/p' "$workdir/disk-server.out" | head -n 1)"
  [ -n "$disk_port" ] && break
  kill -0 "$disk_pid" 2>/dev/null || fail "python3 -m http.server exited: $(cat "$workdir/disk-server.err")"
  sleep 0.1
done
[ -n "$disk_port" ] || fail "python3 -m http.server did not say where it listens"

theta_url="http://127.0.0.1:$http_port/alice/model/-/raw/main/model.safetensors"
disk_url="http://127.0.0.1:$disk_port/model.safetensors"
# The same header goes to both servers (python's ignores it); a private repository reads with the token.
auth=(-H "Authorization: Bearer $token")

# Both servers start from what they read in the page cache: theta's data directory and the original file. Then no
# dirty pages are left by the setup for the kernel to write back during a step.
find "$workdir/data" -type f -exec cat {} + >/dev/null
cat "$original" >/dev/null
sync

# The daemon's peak so far (the push's); then reset it (writing 5 to clear_refs resets VmHWM), so that what it reads
# after the downloads is their peak. And a sampler of VmRSS, in case the reset is refused.
push_hwm="$(peak_rss)"
hwm_reset=0
if echo 5 2>/dev/null >"/proc/$serve_pid/clear_refs"; then hwm_reset=1; fi
rss_kib() { awk -v f="$1" '$1 == f ":" { print $2 }' "/proc/$2/status" 2>/dev/null || true; }
(
  max=0
  while kill -0 "$serve_pid" 2>/dev/null; do
    r="$(rss_kib VmRSS "$serve_pid")"
    if [ -n "$r" ] && [ "$r" -gt "$max" ]; then
      max="$r"
      echo "$max $(rss_kib RssAnon "$serve_pid") $(rss_kib RssFile "$serve_pid")" >"$workdir/rss.max"
    fi
    sleep 0.05
  done
) &
sampler_pid=$!

# [body=FILE] get NAME URL CURL-ARGS...: one request with curl, its body to FILE (default /dev/null); sets the globals
# total (s), speed (bytes/s), size (bytes), code (HTTP status) and ttfb (s), and keeps them as NAME.
declare -A r_total r_speed r_size r_ttfb
get() {
  local name="$1" url="$2" out rc=0
  shift 2
  out="$(curl -sS -g -o "${body:-/dev/null}" "$@" \
    -w '%{time_total} %{speed_download} %{size_download} %{http_code} %{time_starttransfer}' "$url" \
    2>"$workdir/curl.err")" || rc=$?
  read -r total speed size code ttfb <<<"$out"
  # 63: --max-filesize stopped the body after the headers, as asked (the disk server's time to first byte).
  [ "$rc" = 0 ] || [ "$rc" = 63 ] || fail "$name: curl $url exited $rc: $(cat "$workdir/curl.err")"
  r_total[$name]="$total"
  r_speed[$name]="$speed"
  r_size[$name]="$size"
  r_ttfb[$name]="$ttfb"
}
expect() { # NAME CODE [SIZE]
  [ "$code" = "$2" ] || fail "$1: HTTP $code, expected $2"
  [ -z "${3:-}" ] || [ "$size" = "$3" ] || fail "$1: $size bytes, expected $3"
}
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.6f", s / n }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.6f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# 1. The whole file. The first request computes the ETag before it sends, reading the whole file once more.
log "download: first request (theta computes the ETag)"
get theta-first "$theta_url" "${auth[@]}"
expect theta-first 200 "$file_bytes"
log "download: theta-first ${r_total[theta-first]} s"
for step in theta-1 disk-1 disk-2 theta-2; do
  if [ "${step%-*}" = theta ]; then url="$theta_url"; else url="$disk_url"; fi
  get "$step" "$url" "${auth[@]}"
  expect "$step" 200 "$file_bytes"
  log "download: $step ${r_total[$step]} s, $(mbps "$file_bytes" "${r_total[$step]}") MB/s"
done
theta_first_s="${r_total[theta-first]}"
theta_dl_s="$(mean "${r_total[theta-1]}" "${r_total[theta-2]}")"
disk_dl_s="$(mean "${r_total[disk-1]}" "${r_total[disk-2]}")"
theta_first_mbps="$(mbps "$file_bytes" "$theta_first_s")"
theta_dl_mbps="$(awk -v a="$(mbps "$file_bytes" "${r_total[theta-1]}")" -v b="$(mbps "$file_bytes" "${r_total[theta-2]}")" \
  'BEGIN { printf "%.0f", (a + b) / 2 }')"
disk_dl_mbps="$(awk -v a="$(mbps "$file_bytes" "${r_total[disk-1]}")" -v b="$(mbps "$file_bytes" "${r_total[disk-2]}")" \
  'BEGIN { printf "%.0f", (a + b) / 2 }')"

# Once, untimed: the bytes are the original's and the ETag is their sha256.
log "checking the download against the original, and the ETag against its sha256"
cmp -s "$original" <(curl -sS -g "${auth[@]}" "$theta_url") || fail "theta's download differs from the original"
etag="$(curl -sS -g -I "${auth[@]}" "$theta_url" | tr -d '\r' | awk -F'"' 'tolower($1) ~ /^etag:/ { print $2 }')"
original_sha="$(sha256sum "$original" | awk '{ print $1 }')"
[ "$etag" = "$original_sha" ] || fail "the ETag ($etag) is not the original's sha256 ($original_sha)"

# 2. ?include=: about 1% of the file's bytes, k matrices of 8 MiB out of the checkpoint's (layers.000.* at 1 GiB).
k=$(( (matrices + 50) / 100 ))
[ "$k" -ge 1 ] || k=1
globs=()
query=""
for i in $(seq 0 $((k - 1))); do
  g="$(printf 'layers.%03d.*' "$i")"
  globs+=("$g")
  query+="${query:+&}include=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$g")"
done
glob_label="$(IFS=' '; echo "${globs[*]}")"
subset="$disk/subset.safetensors"
log "include $glob_label: first request (ETag computed), saved as the disk server's anchor"
body="$subset" get theta-include-first "$theta_url?$query" "${auth[@]}"
expect theta-include-first 200
subset_bytes="${r_size[theta-include-first]}"
[ "$(stat -c %s "$subset")" = "$subset_bytes" ] || fail "the saved subset is not the $subset_bytes bytes received"
subset_check="$(python3 - "$original" "$subset" "${globs[@]}" <<'EOF'
import fnmatch, json, struct, sys
original, subset, globs = sys.argv[1], sys.argv[2], sys.argv[3:]

def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return 8 + n, json.loads(f.read(n))

o_start, o_header = header(original)
s_start, s_header = header(subset)
s_header.pop("__metadata__", None)
# ParameterGlob: * any run of characters, ? one; fnmatch adds [...], which these globs do not use.
wanted = sorted(n for n in o_header if n != "__metadata__" and any(fnmatch.fnmatchcase(n, g) for g in globs))
assert sorted(s_header) == wanted, "the subset holds %s, expected %s" % (sorted(s_header), wanted)
how = "json header"
try:
    from safetensors import safe_open
    with safe_open(subset, framework="numpy") as f:
        assert sorted(f.keys()) == wanted
        for name in wanted:
            # numpy has no bfloat16: the slice's shape and dtype, read by safetensors' own parser.
            t = f.get_slice(name)
            assert list(t.get_shape()) == o_header[name]["shape"] and t.get_dtype() == "BF16", name
    how = "safetensors.safe_open"
except ImportError:
    pass
# The tensors' bytes are the original's.
with open(original, "rb") as o, open(subset, "rb") as s:
    for name in wanted:
        a, b = o_header[name]["data_offsets"]
        c, d = s_header[name]["data_offsets"]
        o.seek(o_start + a)
        s.seek(s_start + c)
        assert o.read(b - a) == s.read(d - c), "tensor %s differs from the original's" % name
print("%d tensor(s), valid (%s), bytes equal to the original's" % (len(wanted), how))
EOF
)" || fail "the ?include= subset is not what it should be"
log "include: $subset_bytes bytes, ${r_total[theta-include-first]} s; $subset_check"
subset_url="http://127.0.0.1:$disk_port/subset.safetensors"
n=0
for step in theta disk disk theta theta disk disk theta theta disk; do
  n=$((n + 1))
  if [ "$step" = theta ]; then url="$theta_url?$query"; else url="$subset_url"; fi
  get "$step-include-$n" "$url" "${auth[@]}"
  expect "$step-include-$n" 200 "$subset_bytes"
done
inc_theta=(); inc_disk=()
for i in $(seq 1 10); do
  if [ -n "${r_total[theta-include-$i]:-}" ]; then inc_theta+=("${r_total[theta-include-$i]}"); fi
  if [ -n "${r_total[disk-include-$i]:-}" ]; then inc_disk+=("${r_total[disk-include-$i]}"); fi
done
theta_inc_s="$(median "${inc_theta[@]}")"
disk_inc_s="$(median "${inc_disk[@]}")"
log "include: theta median $theta_inc_s s, disk median $disk_inc_s s"

# 3. The header by Range: its first 8 bytes (the header's length), then the whole header.
curl -sS -g "${auth[@]}" -H 'Range: bytes=0-7' -o "$workdir/first8" "$theta_url"
cmp -s "$workdir/first8" <(head -c 8 "$original") || fail "Range bytes=0-7 is not the original's first 8 bytes"
header_len="$(python3 -c 'import struct, sys; print(struct.unpack("<Q", open(sys.argv[1], "rb").read(8))[0])' \
  "$workdir/first8")"
header_end=$((8 + header_len - 1))
curl -sS -g "${auth[@]}" -H "Range: bytes=0-$header_end" -o "$workdir/header" "$theta_url"
cmp -s "$workdir/header" <(head -c $((8 + header_len)) "$original") || fail "the header range is not the original's"
log "header ranges: bytes=0-7 and bytes=0-$header_end ($((8 + header_len)) bytes), 5 each, theta and disk alternating"
for range in "0-7" "0-$header_end"; do
  for rep in 1 2 3 4 5; do
    # ABBA across repetitions: odd ones theta first, even ones disk first.
    order="theta disk"; [ $((rep % 2)) = 1 ] || order="disk theta"
    for side in $order; do
      if [ "$side" = theta ]; then
        get "theta-range-$range-$rep" "$theta_url" "${auth[@]}" -H "Range: bytes=$range"
        expect "theta-range-$range-$rep" 206 $(( ${range#0-} + 1 ))
      else
        # python's http.server ignores Range: a plain GET, its body cut after the headers (--max-filesize).
        get "disk-range-$range-$rep" "$disk_url" "${auth[@]}" --max-filesize 65536
        [ "$code" = 200 ] || fail "disk server: HTTP $code, expected 200"
      fi
    done
  done
done
declare -A ttfb_theta ttfb_disk
for range in "0-7" "0-$header_end"; do
  t=(); d=()
  for rep in 1 2 3 4 5; do t+=("${r_ttfb[theta-range-$range-$rep]}"); d+=("${r_ttfb[disk-range-$range-$rep]}"); done
  ttfb_theta[$range]="$(median "${t[@]}")"
  ttfb_disk[$range]="$(median "${d[@]}")"
  log "range $range: time to first byte, theta median ${ttfb_theta[$range]} s, disk median ${ttfb_disk[$range]} s"
done

# 4. Memory over the HTTP part.
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
http_hwm="$(peak_rss)"
rss_max=0 rss_anon=0 rss_file=0
[ ! -s "$workdir/rss.max" ] || read -r rss_max rss_anon rss_file <"$workdir/rss.max"
to_mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
disk_hwm="$(to_mib "$(rss_kib VmHWM "$disk_pid")")"
theta_mem="${http_hwm% MiB}"
[ "$hwm_reset" = 1 ] || theta_mem="$(to_mib "$rss_max")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
row() { printf '%-44s %6s %10s %10s %8s\n' "$@"; }
echo "read-http: a bf16 checkpoint of $size_mib MiB ($file_bytes bytes: $matrices matrices of 2048 x 2048, 32 norms)," \
  "in a private repository of one thetahost daemon (-Xmx512m), read with curl and a token; anchor: the same bytes" \
  "from disk by python3 -m http.server; $(nproc) cores"
row step unit theta anchor ratio
row "download, first request (ETag computed)" MB/s "$theta_first_mbps" "$disk_dl_mbps" \
  "$(ratio "$theta_first_mbps" "$disk_dl_mbps")"
row "download, steady (mean of 2, ABBA)" MB/s "$theta_dl_mbps" "$disk_dl_mbps" "$(ratio "$theta_dl_mbps" "$disk_dl_mbps")"
row "  the same as seconds" s "$(printf '%.3f' "$theta_dl_s")" "$(printf '%.3f' "$disk_dl_s")" \
  "$(ratio "$theta_dl_s" "$disk_dl_s")"
row "include $glob_label, first (ETag computed)" ms "$(ms "${r_total[theta-include-first]}")" "$(ms "$disk_inc_s")" \
  "$(ratio "${r_total[theta-include-first]}" "$disk_inc_s")"
row "include $glob_label (median of 5)" ms "$(ms "$theta_inc_s")" "$(ms "$disk_inc_s")" \
  "$(ratio "$theta_inc_s" "$disk_inc_s")"
row "header Range 0-7, time to first byte (med 5)" ms "$(ms "${ttfb_theta[0-7]}")" "$(ms "${ttfb_disk[0-7]}")" \
  "$(ratio "${ttfb_theta[0-7]}" "${ttfb_disk[0-7]}")"
row "header Range 0-$header_end, TTFB (median of 5)" ms "$(ms "${ttfb_theta[0-$header_end]}")" \
  "$(ms "${ttfb_disk[0-$header_end]}")" "$(ratio "${ttfb_theta[0-$header_end]}" "${ttfb_disk[0-$header_end]}")"
row "peak RSS over the HTTP part" MiB "$theta_mem" "$disk_hwm" -
echo
echo "ratio: theta / anchor (MB/s: above 1 is theta faster; times: above 1 is theta slower)"
echo "download: $file_bytes bytes; first request $(printf '%.3f' "$theta_first_s") s, then theta" \
  "${r_total[theta-1]} and ${r_total[theta-2]} s, disk ${r_total[disk-1]} and ${r_total[disk-2]} s;" \
  "bytes equal to the original (cmp), ETag = its sha256"
echo "include: $subset_bytes bytes selected, $(awk -v a="$subset_bytes" -v b="$file_bytes" 'BEGIN { printf "%.2f", 100 * a / b }')%" \
  "of the file; $subset_check; anchor: that subset as theta sent it, saved and served from disk (median of 5)"
echo "header Range: theta answers 206 with the bytes asked; the anchor is python's time to first byte of a plain GET" \
  "(its http.server does not support Range; curl stops after the headers)"
if [ "$hwm_reset" = 1 ]; then
  echo "memory: theta's VmHWM reset after the push and read after the downloads ($http_hwm; during the push" \
    "$push_hwm); VmRSS sampled every 50 ms peaked at $(to_mib "$rss_max") MiB" \
    "(anon $(to_mib "$rss_anon"), file $(to_mib "$rss_file")); anchor: python's VmHWM"
else
  echo "memory: theta's VmRSS sampled every 50 ms peaked at $(to_mib "$rss_max") MiB (anon $(to_mib "$rss_anon")," \
    "file $(to_mib "$rss_file")); VmHWM could not be reset, its value $http_hwm includes the push; anchor: python's VmHWM"
fi
echo "reproduce: bench/read-http.sh --size-mib $size_mib"
stop_thetahost
kill "$disk_pid" 2>/dev/null || true
wait "$disk_pid" 2>/dev/null || true
disk_pid=""
succeeded=1
