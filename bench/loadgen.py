"""Closed-loop HTTP/1.1 load generator (stdlib asyncio), used when wrk is not installed.

Usage: python bench/loadgen.py URL --connections 16 --duration 10 [--method POST]
       [--body ...] [--content-type ...] [--authorization ...]
Prints one line `BENCH_JSON {...}` with the same fields as bench/wrk_report.lua.
Only loopback URLs are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _request_bytes(args: argparse.Namespace, host: str, path: str) -> bytes:
    body = (args.body or "").encode()
    lines = [f"{args.method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if args.content_type:
        lines.append(f"Content-Type: {args.content_type}")
    if args.authorization:
        lines.append(f"Authorization: {args.authorization}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _client(host: str, port: int, request: bytes, deadline: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            out["latencies"].append(time.perf_counter() - started)
            out["non_2xx"] += not 200 <= status < 300
    except (OSError, asyncio.IncompleteReadError):
        out["socket_errors"] += 1
    finally:
        writer.close()


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


async def run(args: argparse.Namespace) -> dict[str, float]:
    url = urlsplit(args.url)
    if url.hostname not in LOOPBACK:
        raise SystemExit("loadgen only targets loopback addresses")
    request = _request_bytes(args, url.netloc, url.path or "/")
    out: dict = {"latencies": [], "non_2xx": 0, "socket_errors": 0}
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(
            _client(url.hostname, url.port or 80, request, deadline, out)
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    ms = sorted(value * 1e3 for value in out["latencies"])
    return {
        "requests": len(ms),
        "duration_s": round(elapsed, 6),
        "non_2xx": out["non_2xx"],
        "socket_errors": out["socket_errors"],
        "p50_ms": _percentile(ms, 0.50),
        "p95_ms": _percentile(ms, 0.95),
        "p99_ms": _percentile(ms, 0.99),
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
        "max_ms": ms[-1] if ms else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body")
    parser.add_argument("--content-type")
    parser.add_argument("--authorization")
    summary = asyncio.run(run(parser.parse_args()))
    print("BENCH_JSON " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
