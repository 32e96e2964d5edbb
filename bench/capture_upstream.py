#!/usr/bin/env python3
"""Records the first PATCH it receives (headers and body) and answers 204.

bench/run.sh points a livestream_server at it once, so the direct baselines
(wrk and the libcurl client) send byte for byte the request the gateway sends.
Standard library only; listens on 127.0.0.1 port 0 and writes the port to a
file; exits after one request or after --timeout seconds.
"""

import argparse
import http.server
import os
import sys
import threading

# Headers the direct clients set themselves.
SKIPPED = {"host", "content-length", "connection"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port_file", required=True)
    parser.add_argument("--out_dir", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    captured = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_PATCH(self):  # noqa: N802 (http.server naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not captured.is_set():
                with open(os.path.join(args.out_dir, "body.bin"), "wb") as f:
                    f.write(body)
                with open(os.path.join(args.out_dir, "headers.txt"), "w") as f:
                    for name, value in self.headers.items():
                        if name.lower() not in SKIPPED:
                            f.write(f"{name}: {value}\n")
                with open(os.path.join(args.out_dir, "request_line.txt"), "w") as f:
                    f.write(f"{self.command} {self.path}\n")
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            captured.set()

        def log_message(self, *unused):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(tmp, args.port_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ok = captured.wait(args.timeout)
    server.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
