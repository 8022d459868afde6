"""The load generator's rounds of both encodings (served.cached's gzip / identity ratio): both
encodings of a round go over the same connections, which a server on 127.0.0.1 records."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadtest import load_encodings


class _Recording(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[int, str]] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers
    server: _Recording

    def do_GET(self) -> None:
        encoding = "gzip" if "gzip" in self.headers.get("Accept-Encoding", "") else "identity"
        with self.server.lock:
            self.server.seen.append((self.client_address[1], encoding))
        body = b"x" * 100
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Recording]:
    recording = _Recording()
    thread = threading.Thread(target=recording.serve_forever, daemon=True)
    thread.start()
    yield recording
    recording.shutdown()
    recording.server_close()


def test_each_round_sends_both_encodings_over_the_same_new_connections(server: _Recording) -> None:
    port = server.server_address[1]
    rounds = load_encodings(port, "/page/", concurrency=3, seconds=0.2, rounds=4)

    assert len(rounds) == 4
    for results in rounds:
        assert set(results) == {False, True}
        for result in results.values():
            assert result.errors == 0
            assert result.latencies
    by_connection: dict[int, list[str]] = defaultdict(list)
    for client_port, encoding in server.seen:
        by_connection[client_port].append(encoding)
    # 3 connections a round, opened anew each round, none reopened within one.
    assert len(by_connection) == 12
    for encodings in by_connection.values():
        # One window of each encoding on every connection, one after the other.
        assert set(encodings) == {"identity", "gzip"}
        changes = sum(1 for a, b in itertools.pairwise(encodings) if a != b)
        assert changes == 1
    # The round's first encoding alternates: identity first in rounds 0 and 2.
    firsts = [encodings[0] for encodings in by_connection.values()]
    assert firsts.count("identity") == 6
