#!/usr/bin/env python3
"""Fetches a list of tiles once each, in order, on one kept-alive connection, and prints the
count, total seconds, p50 and p99 milliseconds: the cold figures of bench/scale (every tile
drawn for the first time). Usage: bench/tiletimes.py HOST:PORT < paths"""
import http.client
import sys
import time

conn = http.client.HTTPConnection(sys.argv[1], timeout=60)
times = []
for path in sys.stdin.read().split():
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        sys.exit(f"{path}: {resp.status}")
    times.append(time.perf_counter() - start)
times.sort()
pick = lambda q: 1000 * times[min(len(times) - 1, int(q * len(times)))]
print(len(times), f"{sum(times):.3f}", f"{pick(0.5):.2f}", f"{pick(0.99):.2f}")
