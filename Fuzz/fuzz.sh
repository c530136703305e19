#!/usr/bin/env bash
# Builds the libFuzzer harness (ASan + coverage) and runs it. `make fuzz` in the repository root calls this.
#
# Environment: FUZZ_SECONDS (60), FUZZ_JOBS (1), FUZZ_MAX_LEN (65536), FUZZ_CORPUS (Fuzz/corpus: grows across
# runs), FUZZ_ARTIFACTS (Fuzz/artifacts: crashes), PROMWATCH_CORPUS (../shared/corpus: where seeds come from),
# SWIFT (swift). Extra arguments go to libFuzzer (e.g. `-runs=1000`, or a crash file to replay it).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ_DIR=$(pwd)
SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-65536}
FUZZ_CORPUS=${FUZZ_CORPUS:-$FUZZ_DIR/corpus}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-$FUZZ_DIR/artifacts}
PROMWATCH_CORPUS=${PROMWATCH_CORPUS:-$(cd ../.. && pwd)/shared/corpus}

export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}  # the backtracer makes each crash take minutes
# Short allocation stacks: recording full ones costs ~5% of the speed; rerun a crash without this for full ones.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=4}
build_flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
"$SWIFT" build "${build_flags[@]}"
fuzzer="$("$SWIFT" build "${build_flags[@]}" --show-bin-path)/ExpositionFuzzer"

# Seeds, made anew each run (nothing large is committed): every text capture and upstream benchmark input,
# cut at line boundaries into pieces of at most 2 KiB so executions stay fast, and every OpenMetrics parser
# test case. A missing corpus only costs the seeds.
seeds=$(mktemp -d "${TMPDIR:-/tmp}/promwatch-fuzz-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
if [ -d "$PROMWATCH_CORPUS/exposition" ]; then
  while IFS= read -r -d '' file; do
    name=$(echo "${file#"$PROMWATCH_CORPUS"/exposition/}" | tr '/' '_')
    if [ "$(stat -c %s "$file")" -gt 2048 ]; then
      split -C 2048 -d -a 3 "$file" "$seeds/$name."
    else
      cp "$file" "$seeds/$name"
    fi
  done < <(find "$PROMWATCH_CORPUS/exposition" -type f -name '*.txt' -print0)
else
  echo "fuzz: no seeds from $PROMWATCH_CORPUS/exposition (set PROMWATCH_CORPUS)" >&2
fi
for file in "$PROMWATCH_CORPUS"/openmetrics/parsers/*/metrics; do
  [ -f "$file" ] || continue
  cp "$file" "$seeds/om_$(basename "$(dirname "$file")")"
done
echo "fuzz: $(ls "$seeds" | wc -l) seed files; corpus $FUZZ_CORPUS; crashes go to $FUZZ_ARTIFACTS/"

mkdir -p "$FUZZ_CORPUS" "$FUZZ_ARTIFACTS"
args=(
  -max_len="$FUZZ_MAX_LEN"
  -dict="$FUZZ_DIR/exposition.dict"
  -max_total_time="$FUZZ_SECONDS"
  -artifact_prefix="$FUZZ_ARTIFACTS/"
  -print_final_stats=1
)
if [ "$FUZZ_JOBS" -gt 1 ]; then args+=(-fork="$FUZZ_JOBS"); fi
# New inputs are written to the first directory only: FUZZ_CORPUS keeps them, the seeds are read-only input.
"$fuzzer" "${args[@]}" "$@" "$FUZZ_CORPUS" "$seeds"
