#!/bin/sh
# Event log: how fast `llmo log verify` checks a ~100 MB log, against `sha256sum` of the same file in the same run,
# in back-to-back pairs (verify, sha256sum, verify, ...): the figure is the median of the pairs' throughput ratios,
# so that a load that comes and goes slows both sides of a pair alike. Limit: at least 0.5x sha256sum's throughput.
# The CPU time (user + system) of each side is shown too. LLMO_BIN is the llmo to measure (default target/llmo);
# EVENTLOG_BENCH_MB changes the size; EVENTLOG_BENCH_RUNS how many pairs are timed (default 5).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${LLMO_BIN:-$root/target/llmo}
size_mb=${EVENTLOG_BENCH_MB:-100}
runs=${EVENTLOG_BENCH_RUNS:-5}
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

# wall time in ns of one run of "$@" (output discarded; fails when the command does); its CPU time goes to
# $work/cpu.NAME where /usr/bin/time exists
timed_ns() {
  name=$1; shift
  s=$(now)
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -a -o "$work/cpu.$name" "$@" >/dev/null
  else "$@" >/dev/null; fi
  e=$(now)
  echo $((e - s))
}

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cpu_median() {
  [ -s "$work/cpu.$1" ] || return 0
  awk '{ print int(($1 + $2) * 1000) }' "$work/cpu.$1" >"$work/cpu.$1.ms"
  median "$work/cpu.$1.ms"
}

log=$work/bench.jsonl
"$bin" log __gen-log "$log" "$size_mb" >/dev/null
bytes=$(wc -c <"$log" | tr -d ' ')
cat "$log" >/dev/null  # the page cache holds it for both contenders

"$bin" --version >/dev/null  # let the launcher make its class archive outside the timing
"$bin" log verify "$log" >/dev/null  # and one run of each to warm the caches
sha256sum "$log" >/dev/null
: >"$work/verify"; : >"$work/sha"; : >"$work/ratio"
i=0
while [ "$i" -lt "$runs" ]; do
  v=$(timed_ns verify "$bin" log verify "$log")
  s=$(timed_ns sha sha256sum "$log")
  echo "$v" >>"$work/verify"; echo "$s" >>"$work/sha"
  awk -v v="$v" -v s="$s" 'BEGIN { printf "%.4f\n", s / v }' >>"$work/ratio"
  i=$((i + 1))
done

awk -v bytes="$bytes" -v v="$(median "$work/verify")" -v s="$(median "$work/sha")" -v ratio="$(median "$work/ratio")" \
    -v vc="$(cpu_median verify)" -v sc="$(cpu_median sha)" -v runs="$runs" \
    -v load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')" 'BEGIN {
  mib = bytes / 1048576
  printf "  (medians of %d interleaved pairs; load average %s)\n", runs, load
  printf "  sha256sum              %6.0f ms   %4.0f MiB/s  1.00x (baseline%s)\n", s / 1e6, mib / (s / 1e9), \
    (sc > 0 ? sprintf("; CPU %d ms", sc) : "")
  printf "  llmo log verify        %6.0f ms   %4.0f MiB/s  %.2fx  (limit >= 0.5x: median of the pairs%s)\n", v / 1e6, \
    mib / (v / 1e9), ratio, (vc > 0 ? sprintf("; CPU %d ms, %.2fx", vc, sc / vc) : "")
  printf "  (%.1f MiB log)\n", mib
  if (ratio < 0.5) { print "  FAIL: log verify is under 0.5x the throughput of sha256sum"; exit 1 }
}'
