#!/bin/sh
# Structured output (ADR-012): (a) a run without --schema must not load the JSON Schema library (counted with
# -Xlog:class+load: limit 0 classes of com.networknt); (b) what --schema costs: `llmo run --schema` against a
# loopback server (its answer is not JSON, so the run checks it and exits 1: the library loads, the meta-schema check
# and the validation run) against the same run without it, interleaved; shown, no limit (paid only by those who ask).
# Needs LLMO_BIN and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/schema.sh   (SCHEMA_RUNS=N)
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
RUNS=${SCHEMA_RUNS:-7}

. "$(dirname "$0")/lib/loopback.sh"
loopback_bench

plain() { "$LLMO_BIN" run -m bench/tokens2 hi </dev/null >/dev/null 2>&1; }
schema() { "$LLMO_BIN" run -m bench/tokens2 --schema 'name, age int' hi </dev/null >/dev/null 2>&1 || true; }

JAVA_TOOL_OPTIONS="-Xlog:class+load=info:file=$work/plain.classes" plain
JAVA_TOOL_OPTIONS="-Xlog:class+load=info:file=$work/schema.classes" schema
plain_library=$(grep -c 'com\.networknt' "$work/plain.classes" || true)
schema_library=$(grep -c 'com\.networknt' "$work/schema.classes" || true)

set -- $(pair plain schema)
plain_ms=$1 schema_ms=$2
ratio=$(awk -v a="$schema_ms" -v b="$plain_ms" 'BEGIN { printf "%.2f", a / b }')
echo "  (median of $RUNS interleaved runs each)"
printf '  run                  %6d ms   1.00x  %4s classes of the schema library (limit 0)\n' "$plain_ms" \
  "$plain_library"
printf '  run --schema         %6d ms   %sx  %4s classes of the schema library\n' "$schema_ms" "$ratio" \
  "$schema_library"
if [ "$plain_library" -ne 0 ]; then echo "  FAIL: a run without --schema loaded the JSON Schema library"; exit 1; fi
exit 0
