#!/bin/sh
# Fan-out: `llmo run` with 4 models in parallel against a local server that delays every answer by 1 s, against
# `llmo run` with 1 model in the same run. Four calls of 1 s each must take at most 1.25x the time of one
# (goal 1.1x): the difference is llmo's own cost of running them at once. Prints both medians and the ratio; exit 1
# over the limit. Needs LLMO_BIN (path of target/llmo) and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/parallel.sh   (PARALLEL_RUNS=N, PARALLEL_DELAY=seconds)
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
command -v python3 >/dev/null || { echo "parallel.sh: python3 is needed" >&2; exit 1; }
RUNS=${PARALLEL_RUNS:-7}
DELAY=${PARALLEL_DELAY:-1.0}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The server: every POST waits DELAY seconds (like a model thinking), then streams a short answer. One thread per
# connection, so that four calls wait at the same time.
cat >"$work/server.py" <<'PY'
import json, sys, time, http.server, socketserver
delay, port_file = float(sys.argv[1]), sys.argv[2]

def event(obj):
    return ("data: " + json.dumps(obj, separators=(",", ":")) + "\n\n").encode()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        time.sleep(delay)
        words = ["%s answers:" % body.get("model", "?")] + ["word%d" % i for i in range(20)]
        out = b"".join(event({"choices": [{"index": 0, "delta": {"content": w + " "}}]}) for w in words)
        out += event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        out += event({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": len(words)}})
        out += b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 64

server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
python3 "$work/server.py" "$DELAY" "$work/port" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
  i=$((i + 1)); [ "$i" -gt 100 ] && { echo "parallel.sh: the server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$work/port")

# Four providers on the same server: a fan-out across providers, as a user comparing models runs it.
mkdir -p "$work/home"
: >"$work/home/models.yaml"
for p in p1 p2 p3 p4; do
  cat >>"$work/home/models.yaml" <<YAML
$p:
  type: openai
  base_url: http://127.0.0.1:$port/v1
  default_model: model-$p
  models:
    - name: model-$p
YAML
done
LLMO_HOME=$work/home
export LLMO_HOME

one() { "$LLMO_BIN" run -m p1 hi </dev/null >/dev/null; }
four() { "$LLMO_BIN" run -m p1 -m p2 -m p3 -m p4 hi </dev/null >/dev/null; }

# A correctness check first: four sections, in the order given.
headers=$("$LLMO_BIN" run -m p1 -m p2 -m p3 -m p4 hi </dev/null | grep '^== ' | tr '\n' ' ')
[ "$headers" = "== p1/model-p1 == == p2/model-p2 == == p3/model-p3 == == p4/model-p4 == " ] \
  || { echo "parallel.sh: unexpected output headers: $headers" >&2; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# median_ms FUNCTION: the median wall time of RUNS runs, in ms (after one warm-up)
median_ms() {
  "$1"
  : >"$work/times"
  n=0
  while [ "$n" -lt "$RUNS" ]; do
    t0=$(now_ms); "$1"; t1=$(now_ms)
    echo $((t1 - t0)) >>"$work/times"; n=$((n + 1))
  done
  sort -n "$work/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# interleaved would be fairer on a busy machine, but medians of a few runs each are stable enough here
one_ms=$(median_ms one)
four_ms=$(median_ms four)
ratio=$(awk -v a="$four_ms" -v b="$one_ms" 'BEGIN { printf "%.2f", a / b }')
printf '  1 model  (%s s answer)   %6d ms   1.00x (baseline)\n' "$DELAY" "$one_ms"
printf '  4 models in parallel      %6d ms   %sx  (limit 1.25x, goal 1.1x; +%d ms for 3 more models)\n' \
  "$four_ms" "$ratio" $((four_ms - one_ms))
if awk -v r="$ratio" 'BEGIN { exit !(r > 1.25) }'; then
  echo "  FAIL: 4 models in parallel took over 1.25x one model"
  exit 1
fi
