#!/bin/sh
# Streaming throughput: `llmo run` printing a ~20,000-token OpenAI SSE answer from a loopback server to a pipe,
# against the same run whose answer is one token (same server, runs interleaved): the difference is what the
# tokens cost llmo. Limit: 1.10x (start-up + 10%). The same OpenAI stream sent with chunked transfer encoding, one
# chunk per event, as servers that flush each event send it (Ollama, llama.cpp, vLLM). The same for Anthropic's
# Messages stream (one content_block_delta per token). `curl -N` reading the long stream is shown for scale (the
# transport alone).
# Needs LLMO_BIN (path of target/llmo), python3 and curl.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/stream.sh   (STREAM_TOKENS=N, STREAM_RUNS=N)
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
command -v curl >/dev/null || { echo "stream.sh: curl is needed" >&2; exit 1; }
TOKENS=${STREAM_TOKENS:-20000}
# 21 pairs: on a machine whose speed drifts, the median of 11 pair ratios moved by ±0.03 between runs of the same
# binary; 21 narrow that by about a quarter, at ~15 s more (ADR-003, "Tenth round")
RUNS=${STREAM_RUNS:-21}

work=$(mktemp -d)
. "$(dirname "$0")/lib/loopback.sh"
cleanup() { loopback_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

loopback_start "$work"
mkdir -p "$work/home"
loopback_models "$work/home/models.yaml"
{
  echo "benchant:"
  echo "  type: anthropic"
  echo "  base_url: http://127.0.0.1:$loopback_port"
  echo "  api_key_name: LLMO_BENCH_ANTHROPIC_KEY"
  echo "  default_model: tokens1"
  echo "  models:"
  printf '    - name: tokens%s\n' 1 "$TOKENS" | sort -u
} >>"$work/home/models.yaml"
LLMO_HOME=$work/home
# the loopback server takes any key; the Anthropic client wants one
LLMO_BENCH_ANTHROPIC_KEY=bench
export LLMO_HOME LLMO_BENCH_ANTHROPIC_KEY
unset LLMO_MODEL

# The answers go to a pipe, as in `llmo run ... | less`; cat stands for the reader. llmo's CPU time is kept too
# (lib: timed): on a machine busy with other work it says more than the wall time.
long() { timed "$TOKENS" "$LLMO_BIN" run -m "bench/tokens$TOKENS" hi </dev/null | cat >/dev/null; }
short() { timed 1 "$LLMO_BIN" run -m bench/tokens1 hi </dev/null | cat >/dev/null; }
long_chunked() { timed "c$TOKENS" "$LLMO_BIN" run -m "bench/chunked$TOKENS" hi </dev/null | cat >/dev/null; }
long_anthropic() { timed "a$TOKENS" "$LLMO_BIN" run -m "benchant/tokens$TOKENS" hi </dev/null | cat >/dev/null; }
short_anthropic() { timed a1 "$LLMO_BIN" run -m benchant/tokens1 hi </dev/null | cat >/dev/null; }
curl_long() {
  curl -sfN -X POST -H 'Content-Type: application/json' -d "{\"model\":\"tokens$TOKENS\",\"stream\":true}" \
    "http://127.0.0.1:$loopback_port/v1/chat/completions" | cat >/dev/null
}

# Correctness first: the whole answer arrives, token for token.
expected=$(awk -v n="$TOKENS" 'BEGIN { for (i = 0; i < n; i++) printf "tok%d ", i % 1000 }' | cksum)
for model in "bench/tokens$TOKENS" "bench/chunked$TOKENS" "benchant/tokens$TOKENS"; do
  [ "$("$LLMO_BIN" run -m "$model" hi </dev/null | tr -d '\n' | cksum)" = "$expected" ] \
    || { echo "stream.sh: llmo did not print the $TOKENS tokens of $model exactly" >&2; exit 1; }
done

set -- $(pair short long)
short_ms=$1 long_ms=$2 ratio=$(awk -v r="$3" 'BEGIN { printf "%.2f", r }')
set -- $(pair short long_chunked)
cshort_ms=$1 clong_ms=$2 cratio=$(awk -v r="$3" 'BEGIN { printf "%.2f", r }')
set -- $(pair short_anthropic long_anthropic)
ashort_ms=$1 along_ms=$2 aratio=$(awk -v r="$3" 'BEGIN { printf "%.2f", r }')
set -- $(pair curl_long curl_long)
curl_ms=$1
per_token=$(awk -v a="$long_ms" -v b="$short_ms" -v n="$TOKENS" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')
cpu_note() { [ -s "$work/cpu.$1" ] && printf '; CPU %d ms' "$(cpu_median "$1")"; }

echo "  (medians of $RUNS interleaved pairs, the ratio the median of the pairs' ratios; stdout is a pipe; load average $(load))"
printf '  run, 1-token answer    %6d ms   1.00x (baseline%s)\n' "$short_ms" "$(cpu_note 1)"
printf '  run, %s tokens      %6d ms   %sx  (limit 1.10x; %s us per token%s)\n' "$TOKENS" "$long_ms" "$ratio" \
  "$per_token" "$(cpu_note "$TOKENS")"
cper_token=$(awk -v a="$clong_ms" -v b="$cshort_ms" -v n="$TOKENS" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')
printf '  chunked, %s tokens   %6d ms   %sx  (limit 1.10x; against %d ms for 1 token; %s us per token%s)\n' \
  "$TOKENS" "$clong_ms" "$cratio" "$cshort_ms" "$cper_token" "$(cpu_note "c$TOKENS")"
aper_token=$(awk -v a="$along_ms" -v b="$ashort_ms" -v n="$TOKENS" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')
printf '  anthropic, 1 token     %6d ms   1.00x (baseline%s)\n' "$ashort_ms" "$(cpu_note a1)"
printf '  anthropic, %s tokens %6d ms   %sx  (limit 1.10x; %s us per token%s)\n' "$TOKENS" "$along_ms" "$aratio" \
  "$aper_token" "$(cpu_note "a$TOKENS")"
printf '  curl, %s tokens     %6d ms   (the transport alone, for scale)\n' "$TOKENS" "$curl_ms"
if awk -v r="$ratio" -v c="$cratio" -v a="$aratio" 'BEGIN { exit !(r > 1.10 || c > 1.10 || a > 1.10) }'; then
  echo "  FAIL: streaming took over 1.10x"; exit 1
fi
