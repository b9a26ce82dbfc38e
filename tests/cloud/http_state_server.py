#!/usr/bin/env python3
"""A state server speaking Terraform's http backend protocol with GitLab's semantics
(GitLab-managed Terraform state), for mfgctl's shared-state tests; Terraform's own client
is run against it too, so what it accepts is what Terraform sends.

  GET    /state/NAME           200 and the state, or 204 when there is none
  POST   /state/NAME[?ID=L]    stores the body; 423 with the lock's info when the state is
                               locked and L is not its lock ID (or missing)
  DELETE /state/NAME           removes the state
  LOCK|POST /state/NAME/lock   body: the lock info JSON (ID, Operation, Who, Created, ...);
                               200 when the lock was free, else 423 with the holder's info
  UNLOCK|DELETE /state/NAME/lock
                               body: the lock info; unlocks when its ID is the holder's, or
                               when the body is empty (GitLab's force-unlock, which is what
                               `terraform force-unlock` sends); else 409 with the holder's info
  GET    /__stats              JSON: {"METHOD /path": count}

--user NAME:PASSWORD requires HTTP basic auth (401 without). Prints its port first; ends
when its standard input closes. Python 3 standard library only.
"""

import argparse
import base64
import http.server
import json
import socketserver
import sys
import threading
import urllib.parse

STATES = {}
LOCKS = {}
STATS = {}
MU = threading.Lock()
AUTH = [None]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        with MU:
            STATS[self.command + " " + url.path] = STATS.get(self.command + " " + url.path, 0) + 1
            if url.path == "/__stats":
                return self.reply(200, dict(STATS))
            if AUTH[0] is not None:
                want = "Basic " + base64.b64encode(AUTH[0].encode()).decode()
                if self.headers.get("Authorization") != want:
                    return self.reply(401, {"message": "401 Unauthorized"})
            parts = url.path.strip("/").split("/")
            if len(parts) < 2 or parts[0] != "state":
                return self.reply(404, {"message": "404 Not Found"})
            name = parts[1]
            held = LOCKS.get(name)
            if len(parts) == 2:
                if self.command == "GET":
                    return self.reply(200, STATES[name]) if name in STATES else self.reply(204)
                if self.command == "POST":
                    if held is not None and query.get("ID") != held["ID"]:
                        return self.reply(423, held)
                    STATES[name] = body
                    return self.reply(200)
                if self.command == "DELETE":
                    STATES.pop(name, None)
                    return self.reply(200)
            if len(parts) == 3 and parts[2] == "lock":
                info = json.loads(body) if body.strip() else None
                if self.command in ("LOCK", "POST"):
                    if info is None or "ID" not in info:
                        return self.reply(400, {"message": "lock info expected"})
                    if held is not None:
                        return self.reply(423, held)
                    LOCKS[name] = info
                    return self.reply(200)
                if self.command in ("UNLOCK", "DELETE"):
                    if held is None:
                        return self.reply(200)
                    if info is not None and info.get("ID") != held["ID"]:
                        return self.reply(409, held)
                    del LOCKS[name]
                    return self.reply(200)
            return self.reply(405, {"message": "405 Method Not Allowed"})

    do_GET = do_POST = do_DELETE = do_LOCK = do_UNLOCK = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--user")
    args = p.parse_args()
    AUTH[0] = args.user
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the test that started it ends


if __name__ == "__main__":
    main()
