#!/usr/bin/env python3
"""Counting HTTP proxy in front of the AWS emulator: every request from the daemon and the workers goes through it, and
it counts them by operation (DynamoDB/Streams X-Amz-Target, else "S3 <METHOD>"), so requests per batch are counted,
not estimated. GET /__counts (on the proxy itself) returns the counts as JSON; POST /__reset zeroes them.
Usage: count_proxy.py LISTEN_PORT UPSTREAM_URL"""
import http.client
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PORT, UPSTREAM = int(sys.argv[1]), urlsplit(sys.argv[2])
counts, lock = {}, threading.Lock()
local = threading.local()


def upstream():
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=120)
    return conn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _own(self):
        global counts
        if self.path == "/__counts":
            with lock:
                body = json.dumps(counts).encode()
        elif self.path == "/__reset":
            with lock:
                counts = {}
            body = b"{}"
        else:
            return False
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def _forward(self):
        if self._own():
            return
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(parts)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
        target = self.headers.get("X-Amz-Target")
        op = target.split(".")[-1] if target else f"S3 {self.command}"
        if target and target.startswith("DynamoDBStreams"):
            op = "Streams " + op
        with lock:
            counts[op] = counts.get(op, 0) + 1
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive", "transfer-encoding")}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        for attempt in range(2):
            try:
                conn = upstream()
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                local.conn = None
                if attempt == 1:
                    self.send_error(502)
                    return
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        length = resp.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
