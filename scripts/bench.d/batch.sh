#!/bin/sh
# Batch: `llmo batch run` of BATCH_ROWS rows (default 1000) at --concurrency BATCH_CONCURRENCY (default 8) against a
# local server that answers every call after BATCH_DELAY seconds (default 0.05). The ideal is
# rows x delay / concurrency; llmo's own cost is what the run takes beyond it and beyond its start-up (a batch of one
# row in the same run, less one delay). Prints the wall time, the ideal, their ratio and the overhead per row; exit 1
# over 2.0x the ideal (goal 1.2x). Needs LLMO_BIN (path of target/llmo) and python3.
# Usage: LLMO_BIN=target/llmo scripts/bench.d/batch.sh
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
command -v python3 >/dev/null || { echo "batch.sh: python3 is needed" >&2; exit 1; }
ROWS=${BATCH_ROWS:-1000}
CONCURRENCY=${BATCH_CONCURRENCY:-8}
DELAY=${BATCH_DELAY:-0.05}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The server: every POST waits DELAY seconds, then answers a chat completion (one thread per connection).
cat >"$work/server.py" <<'PY'
import json, os, sys, time, http.server, socketserver
delay, port_file = float(sys.argv[1]), sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        time.sleep(delay)
        out = json.dumps({"id": "c", "object": "chat.completion", "model": body.get("model", "?"),
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": "an answer"},
                                       "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
python3 "$work/server.py" "$DELAY" "$work/port" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
  i=$((i + 1)); [ "$i" -gt 100 ] && { echo "batch.sh: the server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$work/port")

mkdir -p "$work/home"
cat >"$work/home/models.yaml" <<YAML
bench:
  type: openai
  base_url: http://127.0.0.1:$port/v1
  default_model: m
  models:
    - name: m
YAML
LLMO_HOME=$work/home
export LLMO_HOME

python3 -c "
import json, sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({'id': 'r%d' % i, 'question': 'question number %d?' % i}) + '\n')
" "$work/rows.jsonl" "$ROWS"
head -n 1 "$work/rows.jsonl" >"$work/one.jsonl"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
batch() { "$LLMO_BIN" batch run "$1" --prompt 'Answer: {{question}}' -m bench/m --concurrency "$CONCURRENCY" \
  </dev/null >"$work/out.jsonl" 2>"$work/err"; }

batch "$work/one.jsonl"    # warm-up (the class archive)
t0=$(now_ms); batch "$work/one.jsonl"; t1=$(now_ms)
start_ms=$((t1 - t0))
t0=$(now_ms); batch "$work/rows.jsonl"; t1=$(now_ms)
wall_ms=$((t1 - t0))
lines=$(wc -l <"$work/out.jsonl")
[ "$lines" -eq "$ROWS" ] || { echo "batch.sh: $lines results for $ROWS rows" >&2; cat "$work/err" >&2; exit 1; }

awk -v rows="$ROWS" -v c="$CONCURRENCY" -v d="$DELAY" -v wall="$wall_ms" -v start="$start_ms" 'BEGIN {
  ideal = rows * d * 1000 / c
  one_call = d * 1000
  startup = start - one_call; if (startup < 0) startup = 0
  overhead = (wall - ideal - startup) / rows
  printf "  %d rows, %s s answers, --concurrency %d: ideal %d ms (rows x delay / concurrency)\n", rows, d, c, ideal
  printf "  llmo batch run            %6d ms   %.2fx ideal  (limit 2.0x, goal 1.2x)\n", wall, wall / ideal
  printf "  start-up (a 1-row batch less one answer) %d ms; llmo'\''s own cost per row %.2f ms (%.2f ms per slot)\n", \
    startup, overhead, overhead * c
  exit (wall / ideal > 2.0)
}' || { echo "  FAIL: the batch took over 2.0x its ideal"; exit 1; }
