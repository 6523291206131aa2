#!/bin/sh
# Tab completion in real bash, each TAB against the 0.3 s limit. Static: `llmo run --no-s<TAB>` (commands and
# options come from the script's own tables). Dynamic: `llmo run -m <TAB>` with llmo's cache of the names current
# (completion.md, "How it works"). Shown without a limit: a TAB whose cache is not current (after a change of the
# configuration), which starts llmo (`llmo __complete models`). Baseline in the same run: a bash that completes from a
# fixed word list.
set -eu
: "${LLMO_BIN:?run me through scripts/bench}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" && ln -s "$LLMO_BIN" "$work/bin/llmo"
PATH=$work/bin:$PATH
cache=${XDG_CACHE_HOME:-$HOME/.cache}/llmo/complete
"$LLMO_BIN" install-completion --shell bash --print > "$work/llmo.bash"
cat > "$work/tab.sh" <<'SH'
source "$1"; COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; _llmo; [ ${#COMPREPLY[@]} -ge "$3" ]
SH
cat > "$work/fixed.sh" <<'SH'
COMPREPLY=($(compgen -W "openai anthropic gemini" -- "")); [ ${#COMPREPLY[@]} -eq 3 ]
SH
static() { bash "$work/tab.sh" "$work/llmo.bash" "llmo run --no-s" 1; }
dynamic() { bash "$work/tab.sh" "$work/llmo.bash" "llmo run -m " 10; }
miss() { rm -f "$cache/models"; bash "$work/tab.sh" "$work/llmo.bash" "llmo run -m " 10; }
static || { echo "  FAIL: completion returned no option"; exit 1; }
# The first TAB starts llmo, which writes the cache once its sources are two seconds old (a just-built binary is not).
n=0; while ! { dynamic && [ -f "$cache/models" ]; } && [ $n -lt 40 ]; do sleep 0.25; n=$((n+1)); done
dynamic || { echo "  FAIL: completion returned no models"; exit 1; }
[ -f "$cache/models" ] || { echo "  FAIL: llmo wrote no cache of the model names ($cache/models)"; exit 1; }
runs=${BENCH_RUNS:-20}
median() {
  i=0; : > "$work/t"
  while [ $i -lt "$runs" ]; do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )) >> "$work/t"; i=$((i+1))
  done
  sort -n "$work/t" | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
  sort -n "$work/t" | head -1 | awk '{ printf " %.1f", $1 / 1000 }' > "$work/best.$1"
}
best() { cat "$work/best.$1"; }
# CPU time (user + system of the TAB's bash and all it starts, llmo too): on a busy machine it says more than the
# wall time, and so does the best run of the wall times
tabcpu() {
  [ -x /usr/bin/time ] || return 0
  i=0; : > "$work/cpu"
  while [ $i -lt 5 ]; do
    [ "$1" = miss ] && rm -f "$cache/models"
    if [ "$1" = base ]; then /usr/bin/time -f '%U %S' -a -o "$work/cpu" bash "$work/fixed.sh" >/dev/null 2>&1
    else /usr/bin/time -f '%U %S' -a -o "$work/cpu" bash "$work/tab.sh" "$work/llmo.bash" "$2" 1 >/dev/null 2>&1; fi
    i=$((i+1))
  done
  awk '{ print int(($1 + $2) * 1000) }' "$work/cpu" | sort -n | awk '{ a[NR] = $1 } END { printf "; CPU %d ms", a[int((NR + 1) / 2)] }'
}
base=$(median bash "$work/fixed.sh"); base_best=$(best bash)
st=$(median static); st_best=$(best static)
dy=$(median dynamic); dy_best=$(best dynamic)
mi=$(median miss); mi_best=$(best miss)
base_cpu=$(tabcpu base)
st_cpu=$(tabcpu hit "llmo run --no-s")
dy_cpu=$(tabcpu hit "llmo run -m ")
mi_cpu=$(tabcpu miss "llmo run -m ")
x() { awk -v a="$1" -v b="$base" 'BEGIN { printf "%.1f", a / b }'; }
echo "  (median and best of $runs runs, CPU the median of 5; load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'))"
printf '  bash, fixed word list          %7.1f ms  best%7s  (baseline%s)\n' "$base" "$base_best" "$base_cpu"
printf '  static:  llmo run --no-s<TAB>  %7.1f ms  best%7s  %sx  (limit 300 ms%s)\n' "$st" "$st_best" "$(x "$st")" "$st_cpu"
printf '  dynamic: llmo run -m <TAB>     %7.1f ms  best%7s  %sx  (limit 300 ms%s)\n' "$dy" "$dy_best" "$(x "$dy")" "$dy_cpu"
printf '  dynamic, cache not current     %7.1f ms  best%7s  %sx  (starts llmo; no limit%s)\n' "$mi" "$mi_best" "$(x "$mi")" "$mi_cpu"
status=0
awk -v t="$st" 'BEGIN { exit !(t > 300) }' && { echo "  FAIL: a static TAB takes over 0.3 s"; status=1; }
awk -v t="$dy" 'BEGIN { exit !(t > 300) }' && { echo "  FAIL: a dynamic TAB takes over 0.3 s"; status=1; }
exit $status
