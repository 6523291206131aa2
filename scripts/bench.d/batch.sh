#!/bin/sh
# Batch: `llmo batch run` of BATCH_ROWS rows (default 1000) at --concurrency BATCH_CONCURRENCY (default 8) against the
# loopback server answering every call after BATCH_DELAY seconds (default 0.05). The ideal is
# rows x delay / concurrency; llmo's own cost is what the run takes beyond it and beyond its start-up (a batch of one
# row in the same run, less one delay). Prints the wall time, the ideal, their ratio and the overhead per row; exit 1
# over 2.0x the ideal (goal 1.2x). On a machine busy with other work the wall time says little: two figures that
# load moves less are printed too, llmo's CPU time per row (user + system, beyond the one-row batch's; where
# /usr/bin/time exists) and how long a call slot stood idle per call (the record's row times: the slots' time in the
# batch less the calls' latencies, per call). Needs LLMO_BIN (path of target/llmo) and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/batch.sh
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
ROWS=${BATCH_ROWS:-1000}
CONCURRENCY=${BATCH_CONCURRENCY:-8}
DELAY=${BATCH_DELAY:-0.05}

. "$(dirname "$0")/lib/loopback.sh"
loopback_bench --delay "$DELAY"

python3 -c "
import json, sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({'id': 'r%d' % i, 'question': 'question number %d?' % i}) + '\n')
" "$work/rows.jsonl" "$ROWS"
head -n 1 "$work/rows.jsonl" >"$work/one.jsonl"

# batch DATASET NAME: the run, its CPU time (user + system seconds) in $work/NAME.cpu where /usr/bin/time exists
batch() {
  set -- "$1" "$2" "$LLMO_BIN" batch run "$1" --prompt 'Answer: {{question}}' -m bench/tokens2 \
    --concurrency "$CONCURRENCY"
  name=$2; shift 2
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -o "$work/$name.cpu" "$@"; else "$@"; fi \
    </dev/null >"$work/out.jsonl" 2>"$work/err"
}

batch "$work/one.jsonl" warm    # warm-up (the class archive)
t0=$(now_ms); batch "$work/one.jsonl" one; t1=$(now_ms)
start_ms=$((t1 - t0))
t0=$(now_ms); batch "$work/rows.jsonl" all; t1=$(now_ms)
wall_ms=$((t1 - t0))
lines=$(wc -l <"$work/out.jsonl")
[ "$lines" -eq "$ROWS" ] || { echo "batch.sh: $lines results for $ROWS rows" >&2; cat "$work/err" >&2; exit 1; }

cpu=?
if [ -s "$work/all.cpu" ] && [ -s "$work/one.cpu" ]; then
  cpu=$(awk -v rows="$ROWS" 'NR == FNR { one = $1 + $2; next } { printf "%.2f", ($1 + $2 - one) * 1000 / rows }' \
    "$work/one.cpu" "$work/all.cpu")
fi
# The slots' idle time, from the newest record: its rows' times (when each was written) less their latencies.
record=$(ls -t "$work/home/batches"/*.jsonl | head -n 1)
idle=$(python3 -c "
import datetime, json, sys
calls = []
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event['type'] == 'batch.row':
        at = datetime.datetime.strptime(event['ts'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp() * 1000
        calls.append((at, event['data']['latency_ms']))
busy = sum(latency for _, latency in calls)
span = max(at for at, _ in calls) - min(at - latency for at, latency in calls)
print('%.1f' % max(0.0, (int(sys.argv[2]) * span - busy) / len(calls)))
" "$record" "$CONCURRENCY")

awk -v rows="$ROWS" -v c="$CONCURRENCY" -v d="$DELAY" -v wall="$wall_ms" -v start="$start_ms" -v cpu="$cpu" \
    -v idle="$idle" 'BEGIN {
  ideal = rows * d * 1000 / c
  one_call = d * 1000
  startup = start - one_call; if (startup < 0) startup = 0
  overhead = (wall - ideal - startup) / rows
  printf "  %d rows, %s s answers, --concurrency %d: ideal %d ms (rows x delay / concurrency)\n", rows, d, c, ideal
  printf "  llmo batch run            %6d ms   %.2fx ideal  (limit 2.0x, goal 1.2x)\n", wall, wall / ideal
  printf "  start-up (a 1-row batch less one answer) %d ms; llmo'\''s own cost per row %.2f ms (%.2f ms per slot)\n", \
    startup, overhead, overhead * c
  printf "  CPU time per row %s ms (beyond the 1-row batch); a slot stood idle %s ms per call\n", cpu, idle
  exit (wall / ideal > 2.0)
}' || { echo "  FAIL: the batch took over 2.0x its ideal"; exit 1; }
