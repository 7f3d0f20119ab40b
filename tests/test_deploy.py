"""kb behind a real nginx, as docs/deploy.md sets it up: `kb serve` on a loopback port, Debian's nginx in front of it
with the committed configuration (deploy/nginx/, rendered by its documented command), TLS with a throwaway
self-signed certificate.

Shown through nginx: 500 idle or 1-byte-every-2-s connections leave a search answering in under 1 s (and nginx drops
the slow ones); a 1 GB body is refused at once with 413 and kb never reads it; a request with `Host: evil.example`
gets links, citations, CSV cells and redirects under the public address; static files come from nginx with caching
headers; HSTS and a Secure cookie over HTTPS. Without nginx (or openssl) the module is skipped with an install hint.
"""

from __future__ import annotations

import http.client
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, Site, clone_site

NGINX = os.environ.get("KB_NGINX", "/usr/sbin/nginx")  # Debian's; this module is skipped without it
NO_NGINX = f"no nginx at {NGINX}: install it with `apt-get install nginx` (Debian's package) to run the deployment test"
NO_OPENSSL = "no openssl to make a test certificate: install it with `apt-get install openssl`"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(NGINX).exists(), reason=NO_NGINX),
              pytest.mark.skipif(shutil.which("openssl") is None, reason=NO_OPENSSL)]

PUBLIC = "https://kb.example.org"
CONFIG = f"""KB_SETTINGS = {{
    "public_url": "{PUBLIC}/",
    "trusted_hosts": ("kb.example.org",),
    "trusted_proxies": ("127.0.0.1",),
    "secure_cookies": True,
}}
"""
SECTION = "/en/mali/2020/unmet-needs"
GIGABYTE = 1 << 30


@dataclass(frozen=True)
class Deployment:
    kb_port: int
    http_port: int
    https_port: int
    kb_pid: int
    prefix: Path

    def logged(self, marker: str) -> list[str]:
        """nginx's access-log lines of the requests whose line holds `marker` (it logs a request when it has
        finished with it, which may be just after the client saw the answer: waited for, up to 5 s)."""
        deadline = time.monotonic() + 5
        while True:
            lines = [line for line in (self.prefix / "access.log").read_text(encoding="utf-8").splitlines()
                     if marker in line]
            if lines or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def deployment(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deploy")
    _content, instance = clone_site(built_site, root)
    (instance / "config.py").write_text(CONFIG, encoding="utf-8")
    kb_port, http_port, https_port = free_port(), free_port(), free_port()
    kb_log = (root / "kb.log").open("w")
    kb = subprocess.Popen([str(Path(sys.executable).parent / "kb"), "serve", "--port", str(kb_port), "--instance",
                           str(instance), "--threads", "4"], stdout=kb_log, stderr=subprocess.STDOUT, cwd=root)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=kb.example.org", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    prefix = root / "nginx"
    rendered = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "nginx" / "render.py"), "--server-name", "kb.example.org",
         "--upstream", f"127.0.0.1:{kb_port}", "--cert", str(root / "cert.pem"), "--key", str(root / "key.pem"),
         "--http-listen", f"127.0.0.1:{http_port}", "--https-listen", f"127.0.0.1:{https_port}",
         "--standalone", str(prefix)], check=True, capture_output=True, text=True, timeout=60)
    command = rendered.stdout.split()  # the command it prints: nginx -p PREFIX -c PREFIX/nginx.conf -e ...
    assert command[0] == "/usr/sbin/nginx", rendered.stdout
    nginx = subprocess.Popen([NGINX, *command[1:], "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                             stderr=(root / "nginx.stderr").open("w"))
    try:
        wait_for(kb_port, kb, "kb serve")
        wait_for(https_port, nginx, "nginx")
        yield Deployment(kb_port, http_port, https_port, kb.pid, prefix)
    finally:
        stop(nginx)
        stop(kb)
        kb_log.close()


def tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throwaway self-signed certificate
    return context


def get(port: int, path: str, headers: dict[str, str] | None = None,
        secure: bool = True) -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection: status, headers (lower-case names; repeated ones joined) and body."""
    conn = (http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls()) if secure
            else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        found: dict[str, str] = {}
        for name, value in response.getheaders():
            found[name.lower()] = f"{found[name.lower()]}, {value}" if name.lower() in found else value
        return response.status, found, response.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------- slow clients


class SlowClients:
    """`idle` connections that send nothing, and `dribbling` ones that complete TLS and then send an HTTP request one
    byte every `every` seconds, from a thread of their own."""

    def __init__(self, port: int, idle: int, dribbling: int, every: float = 2.0) -> None:
        context = tls()
        self.dribbling = [context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
                          for _ in range(dribbling)]
        self.idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(idle)]
        self.request = b"GET /api/search?q=refugees HTTP/1.1\r\nHost: kb.example.org\r\nX-Padding: " + b"a" * 200
        self.every, self.sent, self.dropped = every, 0, 0
        self.done, self.lock = threading.Event(), threading.Lock()
        self.thread = threading.Thread(target=self._dribble, daemon=True)
        self.thread.start()

    def _dribble(self) -> None:
        while not self.done.wait(self.every):
            with self.lock:
                for sock in self.dribbling:
                    with suppress(OSError):  # closed by nginx: open_count says so
                        sock.send(self.request[self.sent % len(self.request):][:1])
                self.sent += 1

    def open_count(self) -> int:
        """The connections nginx has not closed: reading one finds nothing yet (a closed one reads as end-of-file
        or an error; a TLS 1.3 session ticket is not application data)."""
        with self.lock:
            return sum(self._alive(sock) for sock in self.idle + self.dribbling)

    @staticmethod
    def _alive(sock: socket.socket) -> bool:
        sock.setblocking(False)
        try:
            sock.recv(1)  # end-of-file, or an answer (a 408) before nginx closes it
            return False
        except (ssl.SSLWantReadError, BlockingIOError):
            return True
        except OSError:
            return False
        finally:
            sock.settimeout(10)

    def close(self) -> None:
        self.done.set()
        self.thread.join(10)
        for sock in self.idle + self.dribbling:
            sock.close()


def test_500_idle_or_slow_connections_leave_a_search_answering_in_under_a_second(deployment: Deployment) -> None:
    clients = SlowClients(deployment.https_port, idle=250, dribbling=250)
    try:
        assert clients.open_count() == 500
        latencies = []
        until = time.monotonic() + 6.5  # three rounds of dribbling, well within nginx's 10 s header timeout
        while time.monotonic() < until:
            began = time.monotonic()
            status, _, body = get(deployment.https_port, "/api/search?q=refugees&per_page=5")
            latencies.append(time.monotonic() - began)
            assert status == 200 and b'"total"' in body
            time.sleep(0.25)
        assert clients.sent >= 3 and clients.open_count() == 500, "nginx dropped connections too early"
        assert len(latencies) >= 10 and max(latencies) < 1.0, [f"{s:.3f}" for s in latencies]
        time.sleep(6)  # client_header_timeout 10 s: nginx has closed both kinds by now, and kb never saw them
        assert clients.open_count() == 0
    finally:
        clients.close()


# --------------------------------------------------------------------------------------------- a 1 GB body


def send_huge_body(port: int, head: bytes, chunk: bytes, limit: float = 5.0) -> tuple[str, float, int]:
    """Send `head`, then `chunk` after `chunk` (1 GB in all at most), until an answer arrives: its status line, the
    seconds from the head to the answer and the body bytes sent by then. The body is generated, never held."""
    sock = tls().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    try:
        sock.sendall(head)
        sock.setblocking(False)
        began, sent, pending, answer = time.monotonic(), 0, memoryview(chunk), b""
        while sent < GIGABYTE and time.monotonic() - began < limit:
            readable, writable, _ = select.select([sock], [sock], [], 0.2)
            if readable or sock.pending():
                try:  # an answer, or only TLS records (a TLS 1.3 session ticket is not an answer)
                    answer = sock.recv(4096)
                    break
                except (ssl.SSLWantReadError, BlockingIOError):
                    pass
            if not writable:
                continue
            try:
                count = sock.send(pending)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                continue
            except OSError:
                break
            sent, pending = sent + count, pending[count:] or memoryview(chunk)
        sock.settimeout(5)
        answer = answer or sock.recv(4096)
        return answer.decode("latin-1").split("\r\n", 1)[0], time.monotonic() - began, sent
    finally:
        sock.close()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_1gb_body_is_refused_at_once_and_kb_never_reads_it(deployment: Deployment, framing: str) -> None:
    marker = f"huge-{framing}"
    if framing == "content-length":
        head = (f"GET /api/search?q={marker} HTTP/1.1\r\nHost: kb.example.org\r\n"
                f"Content-Length: {GIGABYTE}\r\n\r\n").encode()
        chunk = bytes(64 * 1024)
    else:
        head = (f"POST /api/search?q={marker} HTTP/1.1\r\nHost: kb.example.org\r\n"
                "Transfer-Encoding: chunked\r\n\r\n").encode()
        chunk = b"8000\r\n" + bytes(0x8000) + b"\r\n"  # 32 KB chunks
    status, seconds, sent = send_huge_body(deployment.https_port, head, chunk)
    assert status == "HTTP/1.1 413 Request Entity Too Large", status
    assert seconds < 1.0 and sent < 8 * 1024 * 1024, (seconds, sent)
    logged = deployment.logged(marker)  # nginx's record: kb was never asked
    assert logged and all(" 413 " in line and "upstream=- " in line for line in logged), logged


# --------------------------------------------------------------------------------------------- Host and links


def test_a_foreign_host_gets_links_under_the_public_address(deployment: Deployment) -> None:
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http",
            "Forwarded": "host=evil.example;proto=http"}
    status, _, body = get(deployment.https_port, SECTION, evil)
    page = body.decode()
    assert status == 200 and b"evil.example" not in body
    assert f'<link rel="canonical" href="{PUBLIC}{SECTION}">' in page
    assert f"{PUBLIC}{SECTION}/p/" in page  # the paragraph permalinks of the Cite block

    status, _, body = get(deployment.https_port, "/api/search.csv?q=refugees", evil)
    urls = re.findall(r"https?://[^,\s\"]+", body.decode())
    assert status == 200 and urls and all(url.startswith(f"{PUBLIC}/") for url in urls), urls[:5]

    status, headers, _ = get(deployment.https_port, f"{SECTION}/p/nia6a", evil)  # a permalink's redirect
    assert status == 302 and "evil.example" not in headers["location"]
    assert headers["location"].startswith((f"{SECTION}?", f"{PUBLIC}{SECTION}?")), headers["location"]

    status, headers, _ = get(deployment.http_port, f"{SECTION}?x=1", evil, secure=False)  # plain HTTP
    assert status == 301 and headers["location"] == f"{PUBLIC}{SECTION}?x=1"

    status, _, _ = get(deployment.kb_port, SECTION, evil, secure=False)  # kb itself, past nginx: its trusted_hosts
    assert status == 400


# --------------------------------------------------------------------------------------------- static, HSTS, cookies


def test_static_files_come_from_nginx_with_caching_headers(deployment: Deployment) -> None:
    status, headers, body = get(deployment.https_port, "/static/kb.css?from-nginx")
    assert status == 200 and body == (ROOT / "kb" / "static" / "kb.css").read_bytes()
    assert headers["cache-control"] == "max-age=3600" and "etag" in headers and "last-modified" in headers
    assert headers["x-content-type-options"] == "nosniff" and headers["content-type"].startswith("text/css")
    assert "max-age=31536000" in headers["strict-transport-security"]
    logged = deployment.logged("from-nginx")
    assert logged and "upstream=- " in logged[-1], logged


def test_https_answers_carry_hsts_and_the_cookie_is_secure(deployment: Deployment) -> None:
    status, headers, _ = get(deployment.https_port, "/?q=refugees&ui=fr")
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"
    cookie = headers["set-cookie"]
    assert cookie.startswith("kb_lang=fr") and "Secure" in cookie and "HttpOnly" in cookie, cookie
    assert "content-security-policy" in headers and headers["server"] == "nginx"  # kb's headers, nginx's name
