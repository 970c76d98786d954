# Sourced by the benchmarks that make a generated checkpoint (tensor-transfer.sh, model-workflow.sh), before
# common.sh: their shared options, checked, and the checkpoint itself.
#
#   parse_checkpoint_args NAME "$@"   sets size_mib, tensor_mib, heap, workdir and keep from --size-mib,
#                                     --tensor-mib, --heap, --workdir and --keep; -h prints the caller's usage
#   generate_checkpoint FILE [SEED]   writes the checkpoint (bench/GenerateCheckpoint.java, seed 42) and sets
#                                     tensors, rows and cols; needs common.sh for log and fail

parse_checkpoint_args() {
  local name="$1"
  shift
  size_mib=1024
  tensor_mib=64
  heap="512m"
  workdir=""
  keep=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --size-mib) size_mib="${2:?--size-mib needs a number}"; shift 2 ;;
      --tensor-mib) tensor_mib="${2:?--tensor-mib needs a number}"; shift 2 ;;
      --heap) heap="${2:?--heap needs a size, e.g. 512m}"; shift 2 ;;
      --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
      --keep) keep=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "$name: unknown argument: $1" >&2; usage; exit 2 ;;
    esac
  done
  for n in "$size_mib" "$tensor_mib"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$name: sizes must be positive whole numbers, not '$n'" >&2; exit 2; }
  done
  if [ $((size_mib % tensor_mib)) != 0 ]; then
    echo "$name: --size-mib $size_mib is not a multiple of --tensor-mib $tensor_mib" >&2
    exit 2
  fi
  [[ "$heap" =~ ^[1-9][0-9]*[kKmMgG]?$ ]] || { echo "$name: --heap must look like 512m, not '$heap'" >&2; exit 2; }
  for tool in java ssh ssh-keygen git cmp awk; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is needed but not found" >&2; exit 2; }
  done
}

generate_checkpoint() {
  local file="$1" seed="${2:-42}" side
  tensors=$((size_mib / tensor_mib))
  side="$(awk -v m="$tensor_mib" 'BEGIN { printf "%d", sqrt(m * 1048576 / 4) }')"
  rows="$side"
  cols=$((tensor_mib * 1048576 / 4 / rows))
  [ $((rows * cols * 4)) = $((tensor_mib * 1048576)) ] || fail "cannot shape $tensor_mib MiB as an F32 matrix"
  log "generating $file: $tensors tensors of ${rows}x${cols} F32 ($size_mib MiB)"
  java "$(dirname "${BASH_SOURCE[0]}")/../GenerateCheckpoint.java" "$file" "$tensors" "$rows" "$cols" "$seed"
}
