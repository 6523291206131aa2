#!/bin/sh
# Event log: how fast `llmo log verify` checks a ~100 MB log, against `sha256sum` of the same file in the same
# run (the goal: at least half of sha256sum's throughput). LLMO_BIN is the llmo to measure (default
# target/llmo); EVENTLOG_BENCH_MB changes the size; EVENTLOG_BENCH_RUNS how many times each is timed (best kept).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${LLMO_BIN:-$root/target/llmo}
size_mb=${EVENTLOG_BENCH_MB:-100}
runs=${EVENTLOG_BENCH_RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
LLMO_HOME=$work/home
export LLMO_HOME

# nanoseconds since the epoch; GNU date has %N, elsewhere ask python3
now() {
  t=$(date +%s%N)
  case $t in *N) python3 -c 'import time; print(time.time_ns())' ;; *) echo "$t" ;; esac
}

# best wall time in ns of "$@" over $runs runs; output discarded; fails when the command does. The CPU time (user +
# system) of each run goes to $work/cpu.$1 where /usr/bin/time exists: on a busy machine it says more than the wall.
best() {
  b=
  i=0
  while [ "$i" -lt "$runs" ]; do
    s=$(now)
    if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -a -o "$work/cpu.$(basename "$1")" "$@" >/dev/null
    else "$@" >/dev/null; fi
    e=$(now)
    d=$((e - s))
    if [ -z "$b" ] || [ "$d" -lt "$b" ]; then b=$d; fi
    i=$((i + 1))
  done
  echo "$b"
}

log=$work/bench.jsonl
"$bin" log __gen-log "$log" "$size_mb" >/dev/null
bytes=$(wc -c <"$log" | tr -d ' ')
cat "$log" >/dev/null  # the page cache holds it for both contenders

"$bin" --version >/dev/null  # let the launcher make its class archive outside the timing
verify_ns=$(best "$bin" log verify "$log")
sha_ns=$(best sha256sum "$log")

# best CPU time in ms of the runs of command $1, or nothing
cpu_best() {
  [ -s "$work/cpu.$1" ] && awk '{ print int(($1 + $2) * 1000) }' "$work/cpu.$1" | sort -n | head -1
}
verify_cpu=$(cpu_best "$(basename "$bin")") || true
sha_cpu=$(cpu_best sha256sum) || true

awk -v bytes="$bytes" -v v="$verify_ns" -v s="$sha_ns" -v vc="$verify_cpu" -v sc="$sha_cpu" 'BEGIN {
  mib = bytes / 1048576
  vr = mib / (v / 1e9); sr = mib / (s / 1e9); ratio = vr / sr
  printf "eventlog: %.1f MiB log; llmo log verify %.3f s (%.0f MiB/s); sha256sum %.3f s (%.0f MiB/s)\n", mib, v / 1e9, vr, s / 1e9, sr
  verdict = "NOT met"; if (ratio >= 0.5) verdict = "met"
  printf "eventlog: verify/sha256sum throughput ratio %.2fx (goal >= 0.5x: %s)\n", ratio, verdict
  if (vc > 0 && sc > 0) printf "eventlog: CPU time (user + system, best): verify %d ms, sha256sum %d ms, ratio %.2fx\n", vc, sc, sc / vc
}'
