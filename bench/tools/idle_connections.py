#!/usr/bin/env python3
"""Opens N keep-alive connections to a server, makes one request on each, keeps them
open, and prints the server's RSS growth per connection (from /proc/PID/status).

usage: idle_connections.py PID HOST PORT N
Connections are spread over source addresses 127.X.Y.2 so ephemeral ports suffice.
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


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    pid, host, port, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
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
            s.recv(4096)
    time.sleep(0.5)
    before = rss_kib(pid)
    conns = []
    octet = 2 + os.getpid() % 200  # a fresh source address per run: no TIME_WAIT clashes
    for i in range(count):
        s = socket.socket()
        s.bind((f"127.{octet}.{i // 20000}.2", 0))
        s.connect((host, port))
        s.sendall(request)
        conns.append(s)
    for s in conns:
        s.recv(4096)
    time.sleep(2.5)  # past the server's once-a-second pool trim
    after = rss_kib(pid)
    per = (after - before) / count
    print(f"connections={count} rss_before_kib={before} rss_after_kib={after} kib_per_connection={per:.3f}")
    for s in conns + warm:
        s.close()


if __name__ == "__main__":
    main()
