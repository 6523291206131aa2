# Sourced by the benches that call llmo against a loopback server (stream.sh, vault.sh, schema.sh, batch.sh): starts
# lib/loopback.py, writes a models.yaml for it, and times pairs of commands. Needs python3. Defines:
#   loopback_bench [--key K] [--delay S]
#                                   the whole set-up of a bench that runs llmo against the server: a temporary
#                                   $work removed at exit (with the server), the server, and LLMO_HOME=$work/home
#                                   holding its models.yaml; LLMO_MODEL unset (batch.sh, schema.sh)
#   loopback_start WORK [--key K] [--delay S]
#                                   the server, its port in $loopback_port (WORK: the bench's temporary dir)
#   loopback_stop                   ends it (call it from the bench's exit trap)
#   loopback_models FILE [KEY_NAME] a models.yaml with provider "bench" (models tokens1, tokens2, tokens20000,
#                                   chunked20000...)
#   pair A B                        "median_A median_B ratio" in ms over $RUNS interleaved runs A B A B ... (after
#                                   one warm-up each); ratio is the median of each pair's B/A: a pair runs within
#                                   a second, so a load that comes and goes slows both of its runs alike
#   timed NAME COMMAND...           runs COMMAND, adding its CPU time (user + system, ms) to $work/cpu.NAME where
#                                   /usr/bin/time exists: on a machine busy with other work it says more than wall
#   cpu_median NAME                 the median of those CPU times (nothing when none was kept)
#   load                            the 1-minute load average, for the report
command -v python3 >/dev/null || { echo "$(basename "$0"): python3 is needed" >&2; exit 1; }
# scripts/bench sets loopback_lib itself; the benches in bench.d find it beside them
loopback_lib=${loopback_lib:-$(cd "$(dirname "$0")/lib" && pwd)}
loopback_pid=

loopback_start() {
  _work=$1; shift
  python3 "$loopback_lib/loopback.py" "$_work/port" "$@" &
  loopback_pid=$!
  _i=0
  while [ ! -s "$_work/port" ]; do
    _i=$((_i + 1)); [ "$_i" -gt 100 ] && { echo "$(basename "$0"): the loopback server did not start" >&2; exit 1; }
    sleep 0.1
  done
  loopback_port=$(cat "$_work/port")
}

loopback_bench() {
  work=$(mktemp -d)
  trap 'loopback_stop; rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM
  loopback_start "$work" "$@"
  mkdir -p "$work/home"
  loopback_models "$work/home/models.yaml"
  LLMO_HOME=$work/home
  export LLMO_HOME
  unset LLMO_MODEL
}

loopback_stop() {
  [ -n "$loopback_pid" ] && kill "$loopback_pid" 2>/dev/null
  loopback_pid=
}

loopback_models() {
  {
    echo "bench:"
    echo "  type: openai"
    echo "  base_url: http://127.0.0.1:$loopback_port/v1"
    [ -n "${2:-}" ] && echo "  api_key_name: $2"
    echo "  default_model: tokens2"
    echo "  models:"
    for _m in tokens1 tokens2 tokens20000 "tokens${STREAM_TOKENS:-20000}" "chunked${STREAM_TOKENS:-20000}"; do
      echo "    - name: $_m"
    done | sort -u
  } >"$1"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

pair() {
  "$1"; "$2"
  : >"$work/pair.a"; : >"$work/pair.b"; : >"$work/pair.r"
  _n=0
  while [ "$_n" -lt "$RUNS" ]; do
    _t0=$(now_ms); "$1"; _t1=$(now_ms); "$2"; _t2=$(now_ms)
    echo $((_t1 - _t0)) >>"$work/pair.a"; echo $((_t2 - _t1)) >>"$work/pair.b"
    awk -v a=$((_t1 - _t0)) -v b=$((_t2 - _t1)) 'BEGIN { printf "%.4f\n", b / (a > 0 ? a : 1) }' >>"$work/pair.r"
    _n=$((_n + 1))
  done
  echo "$(median "$work/pair.a") $(median "$work/pair.b") $(median "$work/pair.r")"
}

timed() {
  _name=$1; shift
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -a -o "$work/cpu.$_name" "$@"; else "$@"; fi
}

cpu_median() {
  [ -s "$work/cpu.$1" ] || return 0
  awk '{ print int(($1 + $2) * 1000) }' "$work/cpu.$1" >"$work/cpu.$1.ms"
  median "$work/cpu.$1.ms"
}

load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || uptime | sed 's/.*average[s]*: *//; s/,.*//'; }
