#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 that misbehaves on request, for the HTTP client's tests.

Prints the port it listens on (chosen by the kernel) as its first line, then serves until
its standard input closes (the test that started it ended), it gets SIGTERM, or
--max-seconds pass. Python 3 standard library only.

Paths; KEY names a counter, so each test uses its own and asserts how many requests
arrived (every path with a KEY counts):
  /echo                        200, JSON: method, path, query, headers, body, client_port,
                               connection (a number per TCP connection accepted)
  /reply?status=N&body=TEXT    N with TEXT as the body (type: &type=, default JSON)
  /status/KEY?codes=503,200    the n-th request gets the n-th code (the last repeats);
                               &retry_after=V adds `Retry-After: V` to non-2xx replies
  /ratelimit/KEY?fails=K&after=N
                               the first K requests get 429 with `Retry-After: N`
                               (&date=1: as an HTTP-date N seconds ahead), then 200
  /reset/KEY?fails=K           the first K requests are read, then the connection is reset
                               (SO_LINGER 0: RST, no reply), then 200
  /slow/KEY?ms=N               sleeps N ms, then 200
  /concurrent/KEY?ms=N         sleeps N ms, then 200, counting requests in flight at once
  /stats/KEY                   JSON: requests (so far, this one not counted), max_concurrent
  /oauth/KEY?public_key=PEM    an OAuth token endpoint for service-account sign-in (RFC 7523):
                               a POSTed form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
                               &assertion=JWT gets {"access_token": "token-KEY-N", "expires_in":
                               3600} when the JWT is RS256, signed by the private half of the
                               public key in file PEM (checked by `openssl dgst -verify`), its
                               aud is this URL, its scope set and its lifetime at most an hour;
                               else 400 {"error": "invalid_grant", "error_description": why}

--upstream URL: a proxy in front of a real server (the Pub/Sub emulator): every request is
forwarded to URL and its answer relayed, except where a --fault rule matches it first.
--fault JSON (repeatable): {"kind": K, "method": "PUT", "path": "/topics/", "times": N}
matches requests of that method (any, if absent) whose path contains "path" (any, if
absent), the first N of them (default 1); rules are tried in order. Kinds:
  429         not forwarded; 429 with `Retry-After: retry_after` (default 1)
  503         not forwarded; 503
  reset       not forwarded; the connection is reset after the request is read
  lost_reply  forwarded, then the connection is reset instead of relaying the answer
              (the server did it, the client never hears)
  slow        forwarded after sleeping "ms" (default 1000)
  /__proxy/stats  JSON: requests (forwarded or faulted, this one not counted), faults,
                  by_method, by_request ("METHOD /path": count)

--tls DIR: makes a self-signed certificate for 127.0.0.1 with the openssl CLI
(DIR/cert.pem, DIR/key.pem) and serves HTTPS with it; DIR/cert.pem is the CA to trust.
"""

import argparse
import base64
import email.utils
import http.client
import http.server
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

LOCK = threading.Lock()
REQUESTS = {}        # key -> requests so far
IN_FLIGHT = {}       # key -> requests now being served
MAX_IN_FLIGHT = {}   # key -> the most at once
CONNECTIONS = [0]    # TCP connections accepted


UPSTREAM = [None]    # urllib.parse.SplitResult of --upstream
RULES = []           # --fault rules, each with "left": matches still to fault
PROXIED = {"requests": 0, "faults": 0, "by_method": {}, "by_request": {}}
UPSTREAM_CONN = threading.local()


def count(key):
    with LOCK:
        REQUESTS[key] = REQUESTS.get(key, 0) + 1
        return REQUESTS[key]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be seen

    def setup(self):
        super().setup()
        with LOCK:
            CONNECTIONS[0] += 1
            self.connection_id = CONNECTIONS[0]

    def log_message(self, format, *args):  # quiet: the tests print what matters
        pass

    def reply(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reset(self):
        # Linger 0: close() sends RST instead of FIN; nothing is replied.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        if UPSTREAM[0] is not None:
            return self.proxy(url, body)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        kind, key = parts[0], "/".join(parts[1:])

        if kind == "echo":
            return self.reply(200, {
                "method": self.command, "path": url.path, "query": query,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
                "client_port": self.client_address[1], "connection": self.connection_id})
        if kind == "reply":
            return self.reply(int(query.get("status", "200")), query.get("body", ""),
                              query.get("type", "application/json"))
        if kind == "stats":
            with LOCK:
                return self.reply(200, {"requests": REQUESTS.get(key, 0),
                                        "max_concurrent": MAX_IN_FLIGHT.get(key, 0)})

        n = count(key)
        done = {"key": key, "attempt": n}
        if kind == "status":
            codes = [int(c) for c in query.get("codes", "200").split(",")]
            code = codes[min(n, len(codes)) - 1]
            extra = []
            if code >= 300 and "retry_after" in query:
                extra.append(("Retry-After", query["retry_after"]))
            return self.reply(code, done if code < 300 else {"error": code, "attempt": n},
                              headers=extra)
        if kind == "ratelimit":
            if n <= int(query.get("fails", "1")):
                after = int(query.get("after", "1"))
                value = (email.utils.formatdate(time.time() + after, usegmt=True)
                         if query.get("date") else str(after))
                return self.reply(429, {"error": "slow down"}, headers=[("Retry-After", value)])
            return self.reply(200, done)
        if kind == "reset":
            if n <= int(query.get("fails", "1")):
                return self.reset()
            return self.reply(200, done)
        if kind == "slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            return self.reply(200, done)
        if kind == "oauth":
            why = self.check_assertion(body, query.get("public_key", ""))
            if why:
                return self.reply(400, {"error": "invalid_grant", "error_description": why})
            return self.reply(200, {"access_token": "token-%s-%d" % (key, n),
                                    "expires_in": 3600, "token_type": "Bearer"})
        if kind == "concurrent":
            with LOCK:
                IN_FLIGHT[key] = IN_FLIGHT.get(key, 0) + 1
                MAX_IN_FLIGHT[key] = max(MAX_IN_FLIGHT.get(key, 0), IN_FLIGHT[key])
            try:
                time.sleep(int(query.get("ms", "100")) / 1000)
            finally:
                with LOCK:
                    IN_FLIGHT[key] -= 1
            return self.reply(200, done)
        return self.reply(404, {"error": "no such fault: " + url.path})

    def check_assertion(self, body, public_key):
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return "grant_type is not jwt-bearer"
        parts = form.get("assertion", "").split(".")
        if len(parts) != 3:
            return "the assertion is not a JWT"

        def decode(part):
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        try:
            header, claims = json.loads(decode(parts[0])), json.loads(decode(parts[1]))
            signature = decode(parts[2])
        except ValueError:
            return "the assertion does not decode"
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return "the header is not RS256 JWT"
        with tempfile.NamedTemporaryFile() as sig:
            sig.write(signature)
            sig.flush()
            verified = subprocess.run(
                ["openssl", "dgst", "-sha256", "-verify", public_key, "-signature", sig.name],
                input=(parts[0] + "." + parts[1]).encode(), capture_output=True)
        if verified.returncode != 0:
            return "the signature does not verify with the public key"
        host = self.headers.get("Host", "")
        if claims.get("aud") != "http://%s%s" % (host, self.path):
            return "aud is %r, not this endpoint" % claims.get("aud")
        if not claims.get("iss") or not claims.get("scope"):
            return "iss or scope missing"
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if not abs(iat - time.time()) < 3900 or not 0 < exp - iat <= 3600:
            return "iat/exp out of range"
        return None

    def proxy(self, url, body):
        if url.path == "/__proxy/stats":
            with LOCK:
                return self.reply(200, PROXIED)
        rule = None
        with LOCK:
            PROXIED["requests"] += 1
            by_method = PROXIED["by_method"]
            by_method[self.command] = by_method.get(self.command, 0) + 1
            name = self.command + " " + url.path
            PROXIED["by_request"][name] = PROXIED["by_request"].get(name, 0) + 1
            for r in RULES:
                if (r["left"] > 0 and r.get("method", self.command) == self.command
                        and r.get("path", "") in url.path):
                    r["left"] -= 1
                    PROXIED["faults"] += 1
                    rule = r
                    break
        kind = rule["kind"] if rule else None
        if kind == "429":
            return self.reply(429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}},
                              headers=[("Retry-After", str(rule.get("retry_after", 1)))])
        if kind == "503":
            return self.reply(503, {"error": {"code": 503, "status": "UNAVAILABLE"}})
        if kind == "reset":
            return self.reset()
        if kind == "slow":
            time.sleep(rule.get("ms", 1000) / 1000)
        status, headers, answer = self.forward(body)
        if kind == "lost_reply":
            return self.reset()
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def forward(self, body):
        # One kept-alive connection to the upstream per serving thread.
        for attempt in (1, 2):
            conn = getattr(UPSTREAM_CONN, "conn", None)
            if conn is None:
                up = UPSTREAM[0]
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
                UPSTREAM_CONN.conn = conn
            try:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                UPSTREAM_CONN.conn = None
                if attempt == 2:
                    return 502, [("Content-Type", "application/json")], b'{"error": "upstream"}'

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # resets, clients gone while a slow reply waited: expected here


def make_certificate(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", metavar="DIR", help="serve HTTPS with a certificate made here")
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--upstream", metavar="URL", help="forward to this server")
    parser.add_argument("--fault", action="append", default=[], metavar="JSON")
    args = parser.parse_args()
    if args.upstream:
        UPSTREAM[0] = urllib.parse.urlsplit(args.upstream)
    for text in args.fault:
        rule = json.loads(text)
        rule["left"] = rule.get("times", 1)
        RULES.append(rule)

    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        cert, key = make_certificate(args.tls)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    deadline = threading.Timer(args.max_seconds, lambda: os._exit(0))
    deadline.daemon = True
    deadline.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
