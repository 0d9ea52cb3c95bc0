"""Python benchmarks, each side by side with its peer in the same run.

Prints one JSON object per line (see bench/run.py). Run through `make bench`, which starts
the mock Connectly and sets CONNECTLY_BASE_URL, CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import queue
import socket
import sys
import threading
import time
import timeit
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import aiohttp
import httpx
import requests

import connectly

PAYLOAD = (
    b'{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},'
    b'"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}'
)
QUICK = "quick" in sys.argv
TEXT_BODY = (
    b'{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}'
)


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def per_call_ns(fn: Callable[[], object], seconds: float = 0.3) -> float:
    """Median ns per call over several rounds of about `seconds` each."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * seconds / 0.2))
    rounds = 3 if QUICK else 7
    samples = sorted(t / number * 1e9 for t in timer.repeat(repeat=rounds, number=number))
    return samples[len(samples) // 2]


def stdlib_verify(secret: bytes, body: bytes, signature: str) -> bool:
    """The idiom users write by hand: hmac.new, base64, compare_digest."""
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature)


def bench_verify() -> None:
    secret = b"mock-webhook-secret"
    webhook = connectly.Webhook(secret)
    for name, body in (("167 B", PAYLOAD), ("4 KiB", b"x" * 4096), ("1 MiB", b"x" * (1 << 20))):
        signature = webhook.sign(body)
        assert stdlib_verify(secret, body, signature)
        ours = per_call_ns(lambda b=body, s=signature: webhook.verify(b, s))
        peer = per_call_ns(lambda b=body, s=signature: stdlib_verify(secret, b, s))
        emit(
            group="python webhook verify",
            name=name,
            peer="stdlib hmac + base64 + compare_digest",
            ours_ns=ours,
            peer_ns=peer,
            ratio=peer / ours,
            bytes=len(body),
        )


def interleaved(
    ours: Callable[[], object], peer: Callable[[], object], calls: int
) -> tuple[float, float]:
    """Mean ns per call of each, run in alternating blocks so drift falls on both alike."""
    block = 50
    spent = {"ours": 0.0, "peer": 0.0}
    for i in range(max(1, calls // block)):
        order = (("ours", ours), ("peer", peer)) if i % 2 == 0 else (("peer", peer), ("ours", ours))
        for side, fn in order:
            start = time.perf_counter()
            for _ in range(block):
                fn()
            spent[side] += time.perf_counter() - start
    n = max(1, calls // block) * block
    return spent["ours"] / n * 1e9, spent["peer"] / n * 1e9


def bench_send_one_thread(base: str, key: str, business: str) -> None:
    client = connectly.Client(key, business, base_url=base)
    url = f"{base}/v1/businesses/{business}/send/messages"
    headers = {"X-API-Key": key, "Content-Type": "application/json", "Accept": "application/json"}
    session = requests.Session()
    hx = httpx.Client()
    calls = 1000 if QUICK else 5000

    def ours() -> None:
        client.send_text("+15555555555", "hello!")

    def with_requests() -> None:
        session.post(url, data=TEXT_BODY, headers=headers).raise_for_status()

    def with_httpx() -> None:
        hx.post(url, content=TEXT_BODY, headers=headers).raise_for_status()

    for _ in range(200):
        ours(), with_requests(), with_httpx()
    for peer_name, peer in (("requests.Session", with_requests), ("httpx.Client", with_httpx)):
        o, p = interleaved(ours, peer, calls)
        emit(
            group="python send_text, one thread",
            name="Client.send_text",
            peer=peer_name,
            ours_ns=o,
            peer_ns=p,
            ratio=p / o,
            ours_per_s=1e9 / o,
            peer_per_s=1e9 / p,
        )


def threaded_rate(threads: int, calls: int, make_worker: Callable[[], Callable[[], None]]) -> float:
    per_thread = calls // threads
    barrier = threading.Barrier(threads + 1)

    def run() -> None:
        work = make_worker()
        barrier.wait()
        for _ in range(per_thread):
            work()

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(run) for _ in range(threads)]
        barrier.wait()
        start = time.perf_counter()
        for f in futures:
            f.result()
        return per_thread * threads / (time.perf_counter() - start)


def bench_send_threads(base: str, key: str, business: str) -> None:
    client = connectly.Client(key, business, base_url=base)
    url = f"{base}/v1/businesses/{business}/send/messages"
    headers = {"X-API-Key": key, "Content-Type": "application/json", "Accept": "application/json"}
    calls = 2000 if QUICK else 16000

    def ours() -> Callable[[], None]:
        return lambda: client.send_text("+15555555555", "hello!") and None

    def with_requests() -> Callable[[], None]:
        session = requests.Session()  # a Session per thread: Session is not thread-safe
        return lambda: session.post(url, data=TEXT_BODY, headers=headers).raise_for_status()

    o = threaded_rate(8, calls, ours)
    p = threaded_rate(8, calls, with_requests)
    emit(
        group="python send_text, 8 threads",
        name="Client.send_text (one shared client)",
        peer="requests.Session (one per thread)",
        ours_per_s=o,
        peer_per_s=p,
        ratio=o / p,
    )


def bench_send_many(base: str, key: str, business: str) -> None:
    client = connectly.Client(key, business, base_url=base)
    if not hasattr(client, "send_many"):
        return
    messages = [connectly.TextMessage("+15555555555", f"bulk {i}") for i in range(10_000)]
    start = time.perf_counter()
    results = client.send_many(messages)
    elapsed = time.perf_counter() - start
    assert all(r.ok for r in results)
    emit(
        group="python send_many",
        name="10,000 texts, concurrency 8, no limit",
        messages=len(messages),
        seconds=elapsed,
        per_s=len(messages) / elapsed,
    )


LATENCY_MS = 200


def hold_answers(base: str, key: str, count: int) -> None:
    """Queues `count` answers the mock holds LATENCY_MS each (the control path)."""
    httpx.post(
        f"{base}/_mock/fail", headers={"X-API-Key": key}, json=[{"delay_ms": LATENCY_MS}] * count
    ).raise_for_status()


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def bench_async_concurrent(base: str, key: str, business: str) -> None:
    """N sends at once against a server that answers after 0.2 s: the wall time of ours
    beside httpx.AsyncClient and aiohttp, each as a user would write it (default limits)."""
    url = f"{base}/v1/businesses/{business}/send/messages"
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    async def ours(n: int) -> tuple[float, int]:
        client = connectly.AsyncClient(key, business, base_url=base)
        most = threads()

        async def one() -> None:
            nonlocal most
            await client.send_text("+15555555555", "hello!")
            most = max(most, threads())

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - start, most

    async def with_httpx(n: int) -> float:
        # Its default limits (100 connections), waiting for a connection instead of giving
        # up after its default 5 s pool timeout, which 1,000 calls at once exceed.
        async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as http:
            start = time.perf_counter()
            await asyncio.gather(
                *(http.post(url, content=TEXT_BODY, headers=headers) for _ in range(n))
            )
            return time.perf_counter() - start

    async def with_aiohttp(n: int) -> float:
        async with aiohttp.ClientSession() as http:

            async def one() -> None:
                async with http.post(url, data=TEXT_BODY, headers=headers) as response:
                    await response.read()

            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.perf_counter() - start

    for n in (200, 1000):
        hold_answers(base, key, n)
        seconds, most = asyncio.run(ours(n))
        for peer, run in (
            ("httpx.AsyncClient", with_httpx),
            ("aiohttp.ClientSession", with_aiohttp),
        ):
            hold_answers(base, key, n)
            peer_seconds = asyncio.run(run(n))
            emit(
                group="python AsyncClient, concurrent sends, server answers after 0.2 s",
                name=f"{n:,} send_text at once",
                peer=f"{peer}, default connection limits",
                ours_ns=seconds * 1e9,
                peer_ns=peer_seconds * 1e9,
                ratio=peer_seconds / seconds,
                calls=n,
                threads=most,
            )


class Unanswering:
    """A loopback TCP server that reads each request and never answers: it notes when it has
    read a whole request, and when it reads end of file (the client closed the connection)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: queue.Queue[float] = queue.Queue()
        self.closed: queue.Queue[float] = queue.Queue()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection: socket.socket) -> None:
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            while len(body) < length:
                body += connection.recv(65536)
            self.requests.put(time.perf_counter())
            while connection.recv(65536):
                pass
            self.closed.put(time.perf_counter())


def bench_cancellation(key: str, business: str) -> None:
    """From ``task.cancel()`` of a send whose request the server has read (and never answers)
    to the server reading end of file on that connection."""
    server = Unanswering()
    trials = 5 if QUICK else 21

    async def trial(client: connectly.AsyncClient) -> float:
        task = asyncio.create_task(client.send_text("+15555555555", "hello!"))
        while server.requests.empty():
            await asyncio.sleep(0.0005)
        server.requests.get()
        cancelled_at = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return (server.closed.get(timeout=10) - cancelled_at) * 1e3

    async def run() -> list[float]:
        client = connectly.AsyncClient(key, business, base_url=server.url, max_retries=0)
        await trial(client)  # warm-up
        return [await trial(client) for _ in range(trials)]

    samples = sorted(asyncio.run(run()))
    emit(
        group="cancellation",
        name="python: cancel to server seeing the connection closed",
        ms=samples[len(samples) // 2],
        max_ms=samples[-1],
        trials=trials,
    )


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def bench_memory(base: str, key: str, business: str) -> None:
    client = connectly.Client(key, business, base_url=base)
    sends = 10_000 if QUICK else 100_000
    for _ in range(1000):
        client.send_text("+15555555555", "warm-up")
    before = rss_kib()
    for _ in range(sends):
        client.send_text("+15555555555", "hello!")
    after = rss_kib()
    emit(
        group="memory",
        name="Python client RSS over sends",
        sends=sends,
        rss_before_kib=before,
        rss_after_kib=after,
        growth_kib=after - before,
    )


def main() -> None:
    base = os.environ["CONNECTLY_BASE_URL"]
    key = os.environ["CONNECTLY_API_KEY"]
    business = os.environ["CONNECTLY_BUSINESS_ID"]
    bench_verify()
    bench_send_one_thread(base, key, business)
    bench_send_threads(base, key, business)
    bench_send_many(base, key, business)
    bench_async_concurrent(base, key, business)
    bench_cancellation(key, business)
    bench_memory(base, key, business)


if __name__ == "__main__":
    main()
