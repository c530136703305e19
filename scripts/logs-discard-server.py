#!/usr/bin/env python3
"""A CloudWatch Logs stand-in that accepts and discards everything, for benchmarks of the CloudWatch sink.

Answers every POST (PutLogEvents, CreateLogGroup, CreateLogStream, ...) with 200 and `{}`; binds 127.0.0.1 only;
stops by itself after --max-seconds. Prints requests/bytes received per X-Amz-Target on exit (SIGTERM/SIGINT).

    logs-discard-server.py --port 18090 [--max-seconds 3600]
    # then aws.endpoints.logs: http://127.0.0.1:18090
"""
import argparse, collections, http.server, signal, sys, threading

stats = collections.Counter()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        left = n
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        target = self.headers.get("X-Amz-Target", "?").rsplit(".", 1)[-1]
        with lock:
            stats[target + " requests"] += 1
            stats[target + " bytes"] += n
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, default=3600)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    t = threading.Timer(a.max_seconds, stop)
    t.daemon = True
    t.start()
    srv.serve_forever()
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}", file=sys.stderr)


if __name__ == "__main__":
    main()
