# A loopback OpenAI-compatible server for the benches: POST /v1/chat/completions answers with N tokens
# ("tok0 tok1 ...") where the request's model is named "tokensN"; any other model gets the 2-token answer
# "tok0 tok1 ". A request with "stream": true gets them one token per SSE chunk like a real model, any other one
# chat.completion JSON. A model named "chunkedN" gets the stream of "tokensN" with chunked transfer encoding, one chunk
# per event, as servers that flush each event send it (Ollama's Go server, llama.cpp, vLLM's uvicorn). With --key K a request without "Authorization: Bearer K" gets 401; with --delay S every
# answer comes S seconds after its request (a model's latency). The answers are built once per size and written in
# 256 KiB pieces, the most llmo reads at once: each write costs this server ~8 us of Python, and in 4 KiB pieces it
# took 7 ms longer to send a 20,000-token stream than a 2-token answer (curl: 17.7 against 10.8 ms), most of the 10%
# the stream bench allows llmo; in 64 KiB pieces 3 ms (12.2 against 9.0 ms; ADR-003, "Twenty-third round" and
# "Twenty-fifth round").
# POST /v1/messages answers the same way in Anthropic's Messages format (its SSE events: message_start, one
# content_block_delta per token, message_delta, message_stop), for the benches of that wire format. Writes its port to
# PORT_FILE when ready.
# Usage: python3 loopback.py PORT_FILE [--key K] [--delay S]
import json, os, re, sys, time, http.server, socketserver

port_file = sys.argv[1]
key = sys.argv[sys.argv.index("--key") + 1] if "--key" in sys.argv else None
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1727346171, "model": "bench"}
bodies = {}
PIECE = 256 * 1024


def event(obj):
    return "data: " + json.dumps(obj, separators=(",", ":")) + "\n\n"


def body(tokens, stream):
    if not stream:
        text = "".join("tok%d " % (i % 1000) for i in range(tokens))
        return json.dumps(dict(head, object="chat.completion", choices=[
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            usage={"prompt_tokens": 5, "completion_tokens": tokens, "total_tokens": tokens + 5})).encode()
    if tokens not in bodies:
        events = [event(dict(head, choices=[{"index": 0, "delta": {"content": "tok%d " % (i % 1000)},
                                             "finish_reason": None}])) for i in range(tokens)]
        events.append(event(dict(head, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])))
        events.append(event(dict(head, choices=[], usage={"prompt_tokens": 5, "completion_tokens": tokens,
                                                          "total_tokens": tokens + 5})))
        events.append("data: [DONE]\n\n")
        bodies[tokens] = "".join(events).encode()
    return bodies[tokens]


def chunked(tokens):
    """The stream of tokens, one HTTP/1.1 chunk per event, then the last chunk."""
    if ("chunked", tokens) not in bodies:
        events = [e + b"\n\n" for e in body(tokens, True).split(b"\n\n") if e]
        bodies[("chunked", tokens)] = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events) + b"0\r\n\r\n"
    return bodies[("chunked", tokens)]


def anthropic_event(obj):
    return "event: " + obj["type"] + "\ndata: " + json.dumps(obj, separators=(",", ":")) + "\n\n"


def anthropic_body(tokens, stream):
    text_of = lambda i: "tok%d " % (i % 1000)
    if not stream:
        return json.dumps({"id": "msg_bench", "type": "message", "role": "assistant", "model": "bench",
                           "content": [{"type": "text", "text": "".join(text_of(i) for i in range(tokens))}],
                           "stop_reason": "end_turn", "stop_sequence": None,
                           "usage": {"input_tokens": 5, "output_tokens": tokens}}).encode()
    if ("anthropic", tokens) not in bodies:
        events = [anthropic_event({"type": "message_start", "message": {
            "id": "msg_bench", "type": "message", "role": "assistant", "model": "bench", "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 1}}}),
            anthropic_event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})]
        events += [anthropic_event({"type": "content_block_delta", "index": 0,
                                    "delta": {"type": "text_delta", "text": text_of(i)}}) for i in range(tokens)]
        events += [anthropic_event({"type": "content_block_stop", "index": 0}),
                   anthropic_event({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                    "usage": {"output_tokens": tokens}}),
                   anthropic_event({"type": "message_stop"})]
        bodies[("anthropic", tokens)] = "".join(events).encode()
    return bodies[("anthropic", tokens)]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body are two writes: with Nagle's algorithm the body waits for the client's delayed ACK
    # of the headers (about 40 ms on Linux), a delay of this server's that would be counted as llmo's.
    disable_nagle_algorithm = True

    def do_POST(self):
        framed = False
        request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if key is not None and self.headers.get("Authorization") != "Bearer " + key:
            out = b'{"error":{"message":"bad key"}}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
        else:
            try:
                asked = json.loads(request)
            except ValueError:
                asked = {}
            m = re.fullmatch(r"(tokens|chunked)(\d+)", asked.get("model", ""))
            stream = asked.get("stream") is True
            size = int(m.group(2)) if m else 2
            framed = stream and m is not None and m.group(1) == "chunked" and not self.path.endswith("/messages")
            out = anthropic_body(size, stream) if self.path.endswith("/messages") else \
                chunked(size) if framed else body(size, stream)
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        if framed:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        for i in range(0, len(out), PIECE):
            self.wfile.write(out[i:i + PIECE])

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a batch opens its connections all at once


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
