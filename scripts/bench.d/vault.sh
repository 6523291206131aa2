#!/bin/sh
# The vault, once per session: (a) the key derivation (PBKDF2-HMAC-SHA256, 600,000 iterations) as llmo runs it,
# i.e. `llmo vault get` with the password minus `llmo vault get` in an unlocked session (the same work without the
# derivation); limit 1.0 s. (b) `llmo run` against a loopback server with its key from an unlocked vault session,
# against the same run with the key in the environment, in back-to-back pairs; the figure is the median of the
# pairs' ratios (a load that comes and goes slows both runs of a pair alike); limit 1.2x. The CPU time of each side
# is shown too. Needs LLMO_BIN and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/vault.sh   (VAULT_RUNS=N, default 21 pairs)
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
RUNS=${VAULT_RUNS:-21}

work=$(mktemp -d)
. "$(dirname "$0")/lib/loopback.sh"
cleanup() {
  # the session's agent must not outlive the bench
  [ -d "$work/run" ] && XDG_RUNTIME_DIR=$work/run "$LLMO_BIN" vault lock >/dev/null 2>&1 || true
  loopback_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loopback_start "$work" --key sk-bench-vault
mkdir -p "$work/home" && chmod 700 "$work/home"
mkdir -m 700 "$work/run"
loopback_models "$work/home/models.yaml" BENCH_API_KEY
LLMO_HOME=$work/home XDG_RUNTIME_DIR=$work/run
export LLMO_HOME XDG_RUNTIME_DIR
unset LLMO_VAULT_PASSWORD LLMO_VAULT_SESSION BENCH_API_KEY LLMO_MODEL
password="bench vault password"
printf 'sk-bench-vault\n' | LLMO_VAULT_PASSWORD=$password "$LLMO_BIN" vault set BENCH_API_KEY 2>/dev/null
session_line=$(LLMO_VAULT_PASSWORD=$password "$LLMO_BIN" vault unlock --for 30m 2>/dev/null)
eval "$session_line"
session=$LLMO_VAULT_SESSION
unset LLMO_VAULT_SESSION

# CPU time as well as wall time (lib: timed): on a machine busy with other work the wall time of a CPU-bound
# derivation says more about the load than about llmo.
get_password() { timed password env LLMO_VAULT_PASSWORD="$password" "$LLMO_BIN" vault get BENCH_API_KEY </dev/null >/dev/null; }
get_session() { timed session env LLMO_VAULT_SESSION="$session" "$LLMO_BIN" vault get BENCH_API_KEY </dev/null >/dev/null; }
run_env() { timed run_env env BENCH_API_KEY=sk-bench-vault "$LLMO_BIN" run -m bench hi </dev/null >/dev/null; }
run_session() { timed run_session env LLMO_VAULT_SESSION="$session" "$LLMO_BIN" run -m bench hi </dev/null >/dev/null; }

# Correctness first: the session gives the key, without a password and without a terminal.
[ "$(LLMO_VAULT_SESSION=$session "$LLMO_BIN" vault get BENCH_API_KEY </dev/null)" = sk-bench-vault ] \
  || { echo "vault.sh: the unlocked session did not give the key" >&2; exit 1; }
[ "$(LLMO_VAULT_SESSION=$session "$LLMO_BIN" run -m bench hi </dev/null)" = "tok0 tok1 " ] \
  || { echo "vault.sh: a run with the session's key failed" >&2; exit 1; }

kdf_runs=$(( RUNS < 11 ? RUNS : 11 ))  # each costs a derivation; 11 pairs are enough for a difference of ~0.5 s
all_runs=$RUNS RUNS=$kdf_runs
set -- $(pair get_password get_session)
RUNS=$all_runs
with_password=$1 with_session=$2
kdf=$((with_password - with_session))
kdf_cpu=
[ -s "$work/cpu.password" ] && kdf_cpu=$(( $(cpu_median password) - $(cpu_median session) ))
set -- $(pair run_env run_session)
env_ms=$1 session_ms=$2 ratio=$(awk -v r="$3" 'BEGIN { printf "%.2f", r }')
cpu_ratio=
[ -s "$work/cpu.run_env" ] && cpu_ratio=$(awk -v a="$(cpu_median run_env)" -v b="$(cpu_median run_session)" \
  'BEGIN { printf "%.2f", b / a }')

echo "  (medians of $kdf_runs and $RUNS interleaved pairs; load average $(load))"
printf '  vault get, password    %6d ms   (unlock: PBKDF2 600,000 iterations + decrypt)\n' "$with_password"
printf '  vault get, session     %6d ms   (key from the agent, decrypt)\n' "$with_session"
printf '  key derivation         %6d ms   (the difference; limit 1000 ms)%s\n' "$kdf" \
  "${kdf_cpu:+; CPU time: $kdf_cpu ms}"
printf '  run, key in env        %6d ms   1.00x (baseline%s)\n' "$env_ms" "${cpu_ratio:+; CPU $(cpu_median run_env) ms}"
printf '  run, key from session  %6d ms   %sx  (limit 1.2x; median of the pairs'"'"' ratios%s)\n' "$session_ms" "$ratio" \
  "${cpu_ratio:+; CPU $(cpu_median run_session) ms, ${cpu_ratio}x}"
status=0
load=$(load)
if [ "$kdf" -gt 1000 ]; then
  # the limit is for this machine when it is not busy with other work; then the wall time is the CPU time
  if [ -n "$kdf_cpu" ] && [ "$kdf_cpu" -le 1000 ] && awk -v l="$load" -v n="$(nproc 2>/dev/null || echo 1)" 'BEGIN { exit !(l > n) }'; then
    echo "  note: the machine is busy (load $load); the derivation's CPU time is within the limit"
  else
    echo "  FAIL: the key derivation took over 1.0 s"; status=1
  fi
fi
if awk -v r="$ratio" 'BEGIN { exit !(r > 1.2) }'; then echo "  FAIL: a run with the session's key took over 1.2x"; status=1; fi
exit $status
