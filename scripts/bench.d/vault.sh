#!/bin/sh
# The vault, once per session: (a) the key derivation (PBKDF2-HMAC-SHA256, 600,000 iterations) as llmo runs it,
# i.e. `llmo vault get` with the password minus `llmo vault get` in an unlocked session (the same work without the
# derivation); limit 1.0 s. (b) `llmo run` against a loopback server with its key from an unlocked vault session,
# against the same run with the key in the environment, runs interleaved; limit 1.2x. Needs LLMO_BIN and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/vault.sh   (VAULT_RUNS=N)
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
command -v python3 >/dev/null || { echo "vault.sh: python3 is needed" >&2; exit 1; }
RUNS=${VAULT_RUNS:-11}

work=$(mktemp -d)
server_pid=
cleanup() {
  # the session's agent must not outlive the bench
  [ -d "$work/run" ] && XDG_RUNTIME_DIR=$work/run "$LLMO_BIN" vault lock >/dev/null 2>&1 || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat >"$work/server.py" <<'PY'
import json, os, sys, http.server, socketserver
port_file = sys.argv[1]

def event(obj):
    return ("data: " + json.dumps(obj, separators=(",", ":")) + "\n\n").encode()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = self.headers.get("Authorization") == "Bearer sk-bench-vault"
        out = b"".join(event({"choices": [{"index": 0, "delta": {"content": w}}]}) for w in ["vault ", "bench"])
        out += event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        out += event({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}})
        out += b"data: [DONE]\n\n"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "text/event-stream" if ok else "application/json")
        body = out if ok else b'{"error":{"message":"bad key"}}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
python3 "$work/server.py" "$work/port" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
  i=$((i + 1)); [ "$i" -gt 100 ] && { echo "vault.sh: the server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$work/port")

mkdir -p "$work/home" && chmod 700 "$work/home"
mkdir -m 700 "$work/run"
cat >"$work/home/models.yaml" <<YAML
bench:
  type: openai
  base_url: http://127.0.0.1:$port/v1
  api_key_name: BENCH_API_KEY
  default_model: m1
  models:
    - name: m1
YAML
LLMO_HOME=$work/home XDG_RUNTIME_DIR=$work/run
export LLMO_HOME XDG_RUNTIME_DIR
unset LLMO_VAULT_PASSWORD LLMO_VAULT_SESSION BENCH_API_KEY LLMO_MODEL
password="bench vault password"
printf 'sk-bench-vault\n' | LLMO_VAULT_PASSWORD=$password "$LLMO_BIN" vault set BENCH_API_KEY 2>/dev/null
session_line=$(LLMO_VAULT_PASSWORD=$password "$LLMO_BIN" vault unlock --for 30m 2>/dev/null)
eval "$session_line"
session=$LLMO_VAULT_SESSION
unset LLMO_VAULT_SESSION

# CPU time (user + system) as well as wall time, where /usr/bin/time exists: on a machine busy with other work the
# wall time of a CPU-bound derivation says more about the load than about llmo.
cpu() {
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%U %S' -a -o "$work/cpu.$cpu_file" "$@"; else "$@"; fi
}
get_password() { cpu_file=password; cpu env LLMO_VAULT_PASSWORD="$password" "$LLMO_BIN" vault get BENCH_API_KEY </dev/null >/dev/null; }
get_session() { cpu_file=session; cpu env LLMO_VAULT_SESSION="$session" "$LLMO_BIN" vault get BENCH_API_KEY </dev/null >/dev/null; }
run_env() { BENCH_API_KEY=sk-bench-vault "$LLMO_BIN" run -m bench hi </dev/null >/dev/null; }
run_session() { LLMO_VAULT_SESSION=$session "$LLMO_BIN" run -m bench hi </dev/null >/dev/null; }

# Correctness first: the session gives the key, without a password and without a terminal.
[ "$(LLMO_VAULT_SESSION=$session "$LLMO_BIN" vault get BENCH_API_KEY </dev/null)" = sk-bench-vault ] \
  || { echo "vault.sh: the unlocked session did not give the key" >&2; exit 1; }
[ "$(LLMO_VAULT_SESSION=$session "$LLMO_BIN" run -m bench hi </dev/null)" = "vault bench" ] \
  || { echo "vault.sh: a run with the session's key failed" >&2; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# interleaved A B A B ...: a busy machine slows both alike
pair() {
  "$1"; "$2"
  : >"$work/a"; : >"$work/b"
  n=0
  while [ "$n" -lt "$RUNS" ]; do
    t0=$(now_ms); "$1"; t1=$(now_ms); "$2"; t2=$(now_ms)
    echo $((t1 - t0)) >>"$work/a"; echo $((t2 - t1)) >>"$work/b"; n=$((n + 1))
  done
  echo "$(median "$work/a") $(median "$work/b")"
}

set -- $(pair get_password get_session)
with_password=$1 with_session=$2
kdf=$((with_password - with_session))
cpu_ms() { awk '{ print int(($1 + $2) * 1000) }' "$work/cpu.$1" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
kdf_cpu=
[ -s "$work/cpu.password" ] && kdf_cpu=$(( $(cpu_ms password) - $(cpu_ms session) ))
set -- $(pair run_env run_session)
env_ms=$1 session_ms=$2
ratio=$(awk -v a="$session_ms" -v b="$env_ms" 'BEGIN { printf "%.2f", a / b }')

echo "  (median of $RUNS interleaved runs each)"
printf '  vault get, password    %6d ms   (unlock: PBKDF2 600,000 iterations + decrypt)\n' "$with_password"
printf '  vault get, session     %6d ms   (key from the agent, decrypt)\n' "$with_session"
printf '  key derivation         %6d ms   (the difference; limit 1000 ms)%s\n' "$kdf" \
  "${kdf_cpu:+; CPU time: $kdf_cpu ms}"
printf '  run, key in env        %6d ms   1.00x (baseline)\n' "$env_ms"
printf '  run, key from session  %6d ms   %sx  (limit 1.2x)\n' "$session_ms" "$ratio"
status=0
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
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
