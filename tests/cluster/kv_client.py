#!/usr/bin/env python3
"""Writes or reads keys k0..k{N-1} of a kv server over one keep-alive connection.

  kv_client.py put HOST:PORT N   POST /k{i} with body v{i}; prints "k{i} STATUS" per key
  kv_client.py get HOST:PORT N   GET /k{i}; prints "k{i} STATUS BODY" ("-" for empty)
"""
import http.client
import sys


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("put", "get"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    mode, address, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    out = []
    for i in range(count):
        if mode == "put":
            conn.request("POST", f"/k{i}", body=f"v{i}")
        else:
            conn.request("GET", f"/k{i}")
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        if mode == "put":
            out.append(f"k{i} {response.status}")
        else:
            value = body if response.status == 200 and body else "-"
            out.append(f"k{i} {response.status} {value}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
