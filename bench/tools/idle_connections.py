#!/usr/bin/env python3
"""Opens N keep-alive connections to a server, makes one request on each, keeps them
open, and prints the server's RSS growth per connection (from /proc/PID/status): over
all N since the warmed-up baseline, and as the slope between N/2 and N connections
(which leaves out what the first connections touched once, such as pools and rings).

usage: idle_connections.py PID HOST PORT N [PATH]
PATH is what each connection requests (default /). Connections are spread over source
addresses 127.X.Y.2 so ephemeral ports suffice.
"""
import os
import socket
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def drain(s):
    """Reads one whole response (headers, then content-length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += s.recv(65536)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    pid, host, port, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    path = sys.argv[5] if len(sys.argv) == 6 else "/"
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    # Warm the server up before the baseline: fixed costs (the provided-buffer ring is
    # touched page by page as the kernel cycles through it, pools) are not per connection.
    warm = []
    for _ in range(100):
        s = socket.create_connection((host, port))
        warm.append(s)
    for _ in range(50):
        for s in warm:
            s.sendall(request)
        for s in warm:
            drain(s)
    time.sleep(0.5)
    before = rss_kib(pid)
    conns = []
    octet = 2 + os.getpid() % 200  # a fresh source address per run: no TIME_WAIT clashes
    half = count // 2
    middle = 0
    for stop in (half, count):
        start = len(conns)
        for i in range(start, stop):
            s = socket.socket()
            s.bind((f"127.{octet}.{i // 20000}.2", 0))
            s.connect((host, port))
            s.sendall(request)
            conns.append(s)
        for s in conns[start:]:
            drain(s)
        time.sleep(2.5)  # past the server's once-a-second pool trim
        if stop == half:
            middle = rss_kib(pid)
    after = rss_kib(pid)
    per = (after - before) / count
    slope = (after - middle) / (count - half)
    print(f"connections={count} rss_before_kib={before} rss_half_kib={middle} "
          f"rss_after_kib={after} kib_per_connection={per:.3f} "
          f"slope_kib_per_connection={slope:.3f}")
    for s in conns + warm:
        s.close()


if __name__ == "__main__":
    main()
