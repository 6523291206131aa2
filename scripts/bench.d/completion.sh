#!/bin/sh
# Tab completion: one TAB in real bash (`llmo run -m <TAB>`: the script plus `llmo __complete models`) must
# answer in under 0.3 s. Baseline in the same run: a bash that completes from a fixed word list.
set -eu
: "${LLMO_BIN:?run me through scripts/bench}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" && ln -s "$LLMO_BIN" "$work/bin/llmo"
PATH=$work/bin:$PATH
"$LLMO_BIN" install-completion --shell bash --print > "$work/llmo.bash"
cat > "$work/tab.sh" <<'SH'
source "$1"; COMP_LINE="llmo run -m "; COMP_POINT=${#COMP_LINE}; _llmo; [ ${#COMPREPLY[@]} -gt 10 ]
SH
cat > "$work/fixed.sh" <<'SH'
COMPREPLY=($(compgen -W "openai anthropic gemini" -- "")); [ ${#COMPREPLY[@]} -eq 3 ]
SH
bash "$work/tab.sh" "$work/llmo.bash" || { echo "  FAIL: completion returned no models"; exit 1; }
runs=${BENCH_RUNS:-20}
median() {
  i=0; : > "$work/t"
  while [ $i -lt "$runs" ]; do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )) >> "$work/t"; i=$((i+1))
  done
  sort -n "$work/t" | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}
base=$(median bash "$work/fixed.sh")
tab=$(median bash "$work/tab.sh" "$work/llmo.bash")
# CPU time (user + system, the TAB's bash and the llmo it starts): on a busy machine it says more than the wall
cpu=
if [ -x /usr/bin/time ]; then
  i=0; : > "$work/cpu"
  while [ $i -lt 5 ]; do /usr/bin/time -f '%U %S' -a -o "$work/cpu" bash "$work/tab.sh" "$work/llmo.bash" >/dev/null 2>&1; i=$((i+1)); done
  cpu=$(awk '{ print int(($1 + $2) * 1000) }' "$work/cpu" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
fi
echo "  (median of $runs runs; load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'))"
printf '  bash, fixed word list     %7.1f ms   (baseline)\n' "$base"
printf '  llmo run -m <TAB>         %7.1f ms   %sx  (limit 300 ms%s)\n' "$tab" "$(awk -v a="$tab" -v b="$base" 'BEGIN { printf "%.1f", a / b }')" \
  "${cpu:+; CPU $cpu ms}"
awk -v t="$tab" 'BEGIN { exit !(t > 300) }' && { echo "  FAIL: a TAB takes over 0.3 s"; exit 1; }
exit 0
