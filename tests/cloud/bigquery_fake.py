#!/usr/bin/env python3
"""A FAKE of BigQuery's datasets and tables REST collections, for mfgctl's tests.

No BigQuery emulator runs on these machines, so the end-to-end tests of BigQuery
datasets and tables talk to this instead, and say so. It keeps what the service's
REST reference (bigquery/v2) documents and what mfgctl relies on:

  GET    /bigquery/v2/projects/P/datasets[?maxResults=&pageToken=]   datasetList
  POST   /bigquery/v2/projects/P/datasets                            insert (409 if it exists)
  GET    /bigquery/v2/projects/P/datasets/D                          get (404 if not)
  PATCH  /bigquery/v2/projects/P/datasets/D                          patch: fields given replace
  DELETE /bigquery/v2/projects/P/datasets/D[?deleteContents=true]    400 resourceInUse if it
                                                                     has tables and not
  GET    /bigquery/v2/projects/P/datasets/D/tables[?maxResults=&pageToken=]  tableList
  POST   /bigquery/v2/projects/P/datasets/D/tables                   insert
  GET|PATCH|DELETE /bigquery/v2/projects/P/datasets/D/tables/T

and the service's habits: a dataset's location defaults to US and cannot change; int64
fields are JSON strings (defaultTableExpirationMs, expirationMs, creationTime); column
types come back in their legacy names (FLOAT64 as FLOAT, INT64 as INTEGER, BOOL as BOOLEAN,
STRUCT as RECORD) with mode NULLABLE when none was given; a patch replaces the fields it
gives and removes a label set to null; a schema patch may only append
NULLABLE columns or relax REQUIRED to NULLABLE; partitioning's type and field cannot
change, its expiration can; list items
carry no schema. Eventual consistency: an object just made answers its first GET with 404.

GET /__fake/requests: JSON, the requests so far ("METHOD /path" -> count), this one not
counted. Prints its port first; ends when its standard input closes.
"""

import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
DATASETS = {}   # (project, dataset) -> resource
TABLES = {}     # (project, dataset, table) -> resource
UNSEEN = set()  # keys made and not yet read once (their first GET is a 404)
REQUESTS = {}
LEGACY = {"FLOAT64": "FLOAT", "INT64": "INTEGER", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}


def error(code, message, reason, status):
    return code, {"error": {"code": code, "message": message, "status": status,
                            "errors": [{"message": message, "reason": reason}]}}


def not_found(what):
    return error(404, "Not found: " + what, "notFound", "NOT_FOUND")


def fields_of(schema):
    out = []
    for f in (schema or {}).get("fields", []):
        f = dict(f)
        f["type"] = LEGACY.get(f.get("type", "").upper(), f.get("type", "").upper())
        f.setdefault("mode", "NULLABLE")
        out.append(f)
    return out


def schema_change_ok(old, new):
    if len(new) < len(old):
        return False
    for a, b in zip(old, new):
        if a["name"] != b["name"] or a["type"] != b["type"]:
            return False
        if a["mode"] != b["mode"] and not (a["mode"] == "REQUIRED" and b["mode"] == "NULLABLE"):
            return False
    return all(f["mode"] != "REQUIRED" for f in new[len(old):])


def patch(resource, body):
    """A patch replaces the fields it gives; a label set to null is removed."""
    for k, v in body.items():
        if k == "labels" and isinstance(v, dict):
            labels = dict(resource.get("labels", {}))
            for name, value in v.items():
                if value is None:
                    labels.pop(name, None)
                else:
                    labels[name] = value
            resource["labels"] = labels
        elif v is None:
            resource.pop(k, None)
        else:
            resource[k] = v


def page(items, query, key, kind):
    start = int(query.get("pageToken", "0") or "0")
    size = int(query.get("maxResults", "50"))
    body = {"kind": kind, key: items[start:start + size]}
    if start + size < len(items):
        body["nextPageToken"] = str(start + size)
    return 200, body


def handle(method, path, query, body):
    parts = path.strip("/").split("/")
    if parts[:4] != ["bigquery", "v2", "projects", parts[3] if len(parts) > 3 else ""] or \
            len(parts) < 5 or parts[4] != "datasets":
        return error(404, "unknown path " + path, "notFound", "NOT_FOUND")
    project = parts[3]
    rest = parts[5:]
    if not rest:
        if method == "GET":
            items = [{"kind": "bigquery#dataset", "id": "%s:%s" % k,
                      "datasetReference": {"projectId": k[0], "datasetId": k[1]},
                      "location": d["location"], **({"labels": d["labels"]} if d.get("labels") else {})}
                     for k, d in sorted(DATASETS.items()) if k[0] == project]
            return page(items, query, "datasets", "bigquery#datasetList")
        if method == "POST":
            ref = body.get("datasetReference", {})
            key = (project, ref.get("datasetId", ""))
            if key in DATASETS:
                return error(409, "Already Exists: Dataset %s:%s" % key, "duplicate",
                             "ALREADY_EXISTS")
            d = dict(body)
            d.update({"kind": "bigquery#dataset", "id": "%s:%s" % key,
                      "datasetReference": {"projectId": project, "datasetId": key[1]},
                      "location": body.get("location", "US"),
                      "creationTime": str(int(time.time() * 1000))})
            DATASETS[key] = d
            UNSEEN.add(key)
            return 200, d
        return error(405, "method", "invalid", "INVALID_ARGUMENT")
    key = (project, rest[0])
    if len(rest) == 1:
        d = DATASETS.get(key)
        if d is None or (method == "GET" and key in UNSEEN):
            UNSEEN.discard(key)
            return not_found("Dataset %s:%s" % key)
        if method == "GET":
            return 200, d
        if method == "PATCH":
            if "location" in body and body["location"] != d["location"]:
                return error(400, "Cannot change dataset location", "invalid", "INVALID_ARGUMENT")
            patch(d, body)
            return 200, d
        if method == "DELETE":
            has_tables = any(k[:2] == key for k in TABLES)
            if has_tables and query.get("deleteContents") != "true":
                return error(400, "Dataset %s:%s is still in use" % key, "resourceInUse",
                             "FAILED_PRECONDITION")
            for k in [k for k in TABLES if k[:2] == key]:
                del TABLES[k]
            del DATASETS[key]
            return 204, None
    if len(rest) >= 2 and rest[1] == "tables":
        if key not in DATASETS:
            return not_found("Dataset %s:%s" % key)
        if len(rest) == 2:
            if method == "GET":
                items = [{"kind": "bigquery#table", "id": "%s:%s.%s" % k,
                          "tableReference": t["tableReference"], "type": "TABLE",
                          **({"timePartitioning": t["timePartitioning"]}
                             if "timePartitioning" in t else {})}
                         for k, t in sorted(TABLES.items()) if k[:2] == key]
                return page(items, query, "tables", "bigquery#tableList")
            if method == "POST":
                tkey = key + (body.get("tableReference", {}).get("tableId", ""),)
                if tkey in TABLES:
                    return error(409, "Already Exists: Table %s:%s.%s" % tkey, "duplicate",
                                 "ALREADY_EXISTS")
                t = dict(body)
                t.update({"kind": "bigquery#table", "id": "%s:%s.%s" % tkey, "type": "TABLE",
                          "tableReference": {"projectId": project, "datasetId": key[1],
                                             "tableId": tkey[2]},
                          "schema": {"fields": fields_of(body.get("schema"))},
                          "creationTime": str(int(time.time() * 1000))})
                TABLES[tkey] = t
                UNSEEN.add(tkey)
                return 200, t
        if len(rest) == 3:
            tkey = key + (rest[2],)
            t = TABLES.get(tkey)
            if t is None or (method == "GET" and tkey in UNSEEN):
                UNSEEN.discard(tkey)
                return not_found("Table %s:%s.%s" % tkey)
            if method == "GET":
                return 200, t
            if method == "PATCH":
                if "schema" in body:
                    new = fields_of(body["schema"])
                    if not schema_change_ok(t["schema"]["fields"], new):
                        return error(400, "Provided Schema does not match Table %s:%s.%s" % tkey,
                                     "invalid", "INVALID_ARGUMENT")
                    body = dict(body, schema={"fields": new})
                if "timePartitioning" in body:
                    # Only the partitions' expiration may change (tables.patch of
                    # timePartitioning.expirationMs), not the type or the field.
                    have = t.get("timePartitioning") or {}
                    want = body["timePartitioning"] or {}
                    if any(want.get(k) != have.get(k) for k in ("type", "field")):
                        return error(400, "Cannot change partitioning/clustering spec",
                                     "invalid", "INVALID_ARGUMENT")
                patch(t, body)
                return 200, t
            if method == "DELETE":
                del TABLES[tkey]
                return 204, None
    return error(404, "unknown path " + path, "notFound", "NOT_FOUND")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        if url.path == "/__fake/requests":
            with LOCK:
                return self.send(200, REQUESTS)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self.send(*error(400, "body is not JSON", "parseError", "INVALID_ARGUMENT"))
        with LOCK:
            name = self.command + " " + url.path
            REQUESTS[name] = REQUESTS.get(name, 0) + 1
            status, answer = handle(self.command, url.path, query, body)
        self.send(status, answer)

    def send(self, status, answer):
        data = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def stop_when_stdin_closes():
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
