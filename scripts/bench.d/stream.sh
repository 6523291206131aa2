#!/bin/sh
# Streaming throughput: llmo reading a ~20,000-token OpenAI SSE stream from a local server, against `curl -N`
# reading the same stream in the same run. Prints both times and the ratio llmo/curl (1.0 = as fast as curl; the
# difference is mostly JVM start-up). Needs LLMO_BIN (path of target/llmo), python3 and curl; uses hyperfine when
# present. Usage: LLMO_BIN=target/llmo scripts/bench.d/stream.sh
set -eu
: "${LLMO_BIN:?set LLMO_BIN to the llmo binary, e.g. target/llmo}"
command -v python3 >/dev/null || { echo "stream.sh: python3 is needed" >&2; exit 1; }
command -v curl >/dev/null || { echo "stream.sh: curl is needed" >&2; exit 1; }
TOKENS=${STREAM_TOKENS:-20000}
RUNS=${STREAM_RUNS:-10}

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The server: one prebuilt stream (one token per chunk, like a real model), written in 4 KiB pieces.
cat >"$work/server.py" <<'PY'
import json, sys, http.server, socketserver
tokens, port_file = int(sys.argv[1]), sys.argv[2]
head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1727346171, "model": "bench"}
events = []
for i in range(tokens):
    chunk = dict(head, choices=[{"index": 0, "delta": {"content": "tok%d " % (i % 1000)}, "finish_reason": None}])
    events.append("data: " + json.dumps(chunk, separators=(",", ":")) + "\n\n")
events.append("data: " + json.dumps(dict(head, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])) + "\n\n")
events.append("data: " + json.dumps(dict(head, choices=[], usage={"prompt_tokens": 5, "completion_tokens": tokens,
                                                                  "total_tokens": tokens + 5})) + "\n\n")
events.append("data: [DONE]\n\n")
body = "".join(events).encode()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(0, len(body), 4096):
            self.wfile.write(body[i:i + 4096])
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
python3 "$work/server.py" "$TOKENS" "$work/port" &
server_pid=$!
i=0
while [ ! -s "$work/port" ]; do
  i=$((i + 1)); [ "$i" -gt 100 ] && { echo "stream.sh: the server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$work/port")
url="http://127.0.0.1:$port/v1/chat/completions"

mkdir -p "$work/home"
cat >"$work/home/models.yaml" <<YAML
bench:
  type: openai
  base_url: http://127.0.0.1:$port/v1
  default_model: fake
  models:
    - name: fake
YAML
LLMO_HOME=$work/home
export LLMO_HOME

llmo_cmd="'$LLMO_BIN' run -m bench/fake hi </dev/null >/dev/null"
curl_cmd="curl -sfN -X POST -H 'Content-Type: application/json' -d '{\"model\":\"fake\",\"stream\":true}' '$url' >/dev/null"

# A correctness check first: the whole stream must arrive.
words=$("$LLMO_BIN" run -m bench/fake hi </dev/null | wc -w)
[ "$words" -eq "$TOKENS" ] || { echo "stream.sh: llmo printed $words tokens, expected $TOKENS" >&2; exit 1; }

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 2 --runs "$RUNS" --style none --export-json "$work/result.json" \
    -n llmo "$llmo_cmd" -n curl "$curl_cmd" >/dev/null 2>&1
  python3 - "$work/result.json" "$TOKENS" <<'PY'
import json, sys
results = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
llmo, curl = results["llmo"], results["curl"]
print("stream %s tokens: llmo %.0f ms, curl %.0f ms, ratio %.2f (hyperfine mean)"
      % (sys.argv[2], llmo * 1000, curl * 1000, llmo / curl))
PY
else
  now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
  time_runs() {
    sh -c "$1"; sh -c "$1"  # warm-up (the first llmo run also builds its class archive)
    start=$(now_ms); n=0
    while [ "$n" -lt "$RUNS" ]; do sh -c "$1"; n=$((n + 1)); done
    echo $(( ($(now_ms) - start) / RUNS ))
  }
  llmo_ms=$(time_runs "$llmo_cmd")
  curl_ms=$(time_runs "$curl_cmd")
  [ "$curl_ms" -gt 0 ] || curl_ms=1
  ratio=$(awk "BEGIN { printf \"%.2f\", $llmo_ms / $curl_ms }")
  echo "stream $TOKENS tokens: llmo $llmo_ms ms, curl $curl_ms ms, ratio $ratio (mean of $RUNS runs)"
fi
