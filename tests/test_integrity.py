"""Integrity of the served index (issue 14 rows 8, 10 and 14): files damaged under a running server or between builds.

A truncated posting sidecar must not kill the server (it was memory-mapped: SIGBUS); a generation whose files fail
their checksums is never served as it is: damaged sidecars are left out (their segments read from Whoosh's blocks,
same answers), any other damaged file hands over to an earlier whole generation, else 503 with a reason; also when the
damage comes after it was opened (the background verification, `integrity_check_seconds`); `kb index` finds a damaged
served generation and rebuilds it instead of saying "up to date". See docs/reliability.md, "Integrity".
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from indexer.build import run_build
from kb.engine import checksums
from kb.engine.generations import served
from tests.support import Site, build, clone_site, edit, make_app

if TYPE_CHECKING:
    from flask.testing import FlaskClient

KB = str(Path(sys.executable).with_name("kb"))
QUERIES = ["birth certificate", "refugees", "réfugiés", "education", "santé", "protection", '"legislative elections"',
           "returnee children", "sécurité", "camps", "water", "eau", "cash", "documentation", "COVID-19"]
KNOWN = "/api/search?q=birth+certificate"  # in Mali 2020 unmet needs, English


def served_folder(instance: Path) -> Path:
    found = served(instance)
    assert found is not None
    return found[1]


def sidecar(folder: Path) -> Path:
    return max(folder.glob("*.kbpost"), key=lambda p: p.stat().st_size)


def two_generations(site: Site, root: Path) -> tuple[Path, Path]:
    """A clone whose served generation 2 was built incrementally on generation 1 (hard-linking its segments)."""
    content, instance = clone_site(site, root)
    edit(content / "mali" / "2020" / "operational-context.en.md", "Security and protection", "Safety and protection")
    assert not build(content, instance).full
    return content, instance


# ------------------------------------------------------------------------------------------------ checksums


def test_every_file_of_a_generation_is_checksummed_and_damage_is_named(built_site: Site, tmp_path: Path) -> None:
    _, instance = clone_site(built_site, tmp_path)
    folder = served_folder(instance)
    listed = checksums.read(folder)
    names = {p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith("LOCK")}
    assert set(listed) == names - {"kb-checksums.json"}
    assert {"kb-manifest.pickle", "kb-site.json", "kb-words.json"} <= set(listed)
    assert any(n.endswith(".seg") for n in listed) and any(n.endswith(".kbpost") for n in listed)
    assert checksums.damage(folder) == {}
    side = sidecar(folder)
    with side.open("r+b") as handle:  # same size, other bytes: only the digest sees it
        handle.seek(side.stat().st_size // 2)
        handle.write(b"\xff" * 64)
    segment = next(folder.glob("*.seg"))
    segment.unlink()
    assert checksums.damage(folder) == {segment.name: "missing",
                                        side.name: "its bytes changed since the build (sha256 differs)"}
    assert checksums.quick_damage(folder) == {segment.name: "missing"}  # sizes alone miss the overwrite
    (folder / "kb-checksums.json").unlink()
    assert list(checksums.damage(folder)) == ["kb-checksums.json"]


def search_all(client: FlaskClient) -> dict[str, tuple[int, int, list[str]]]:
    """Each query of QUERIES: (status, total, the hits' ids)."""
    found = {}
    for query in QUERIES:
        answer = client.get("/api/search", query_string={"q": query, "per_page": 50}).get_json()
        found[query] = (200 if "hits" in answer else answer["error"], answer.get("total", 0),
                        [hit["doc_id"] for hit in answer.get("hits", [])])
    return found


# ----------------------------------------------------------------------------------------------- row 8: SIGBUS


def test_no_file_of_the_served_generation_is_memory_mapped(built_site: Site, tmp_path: Path) -> None:
    """A mapped file truncated under the server kills it with SIGBUS; a read only comes back short."""
    _, instance = clone_site(built_site, tmp_path)
    assert all(found[0] == 200 for found in search_all(make_app(instance).test_client()).values())
    maps = Path("/proc/self/maps").read_text()
    assert str(instance.resolve()) not in maps and str(instance) not in maps


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, query: str) -> tuple[int, int, list[str]]:
    """(status, total, the hits' ids) of a search on the server at `port`."""
    url = f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode({"q": query, "per_page": 50})
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            found = json.loads(answer.read())
            return answer.status, found["total"], [hit["doc_id"] for hit in found["hits"]]
    except urllib.error.HTTPError as err:
        return err.code, 0, []


@pytest.mark.slow
def test_a_sidecar_truncated_under_a_running_server_does_not_kill_it(built_site: Site, tmp_path: Path) -> None:
    _, instance = clone_site(built_site, tmp_path)
    expected = search_all(make_app(instance).test_client())
    port = free_port()
    server = subprocess.Popen([KB, "serve", "--port", str(port), "--threads", "2", "--instance", str(instance)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert fetch(port, QUERIES[0]) == expected[QUERIES[0]]
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.communicate(timeout=10)
                time.sleep(0.2)
        side = sidecar(served_folder(instance))
        os.truncate(side, side.stat().st_size // 3)
        for query in QUERIES:
            assert fetch(port, query) == expected[query], query  # from Whoosh's blocks where the sidecar fails
            assert server.poll() is None, (query, server.returncode)
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert server.returncode in (0, -15), log  # SIGTERM, not SIGBUS (-7)
    assert f"{side.name}: cut short" in log and "read from Whoosh's blocks" in log, log


def test_a_truncated_sidecar_in_process_is_left_out(built_site: Site, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    _, instance = clone_site(built_site, tmp_path)
    expected = search_all(make_app(instance).test_client())  # another app: its result cache is not this one's
    client = make_app(instance).test_client()
    assert client.get(KNOWN).status_code == 200
    side = sidecar(served_folder(instance))
    os.truncate(side, 0)
    with caplog.at_level(logging.WARNING, logger="kb.engine"):
        assert search_all(client) == expected
    assert f"{side.name}: cut short" in caplog.text and "read from Whoosh's blocks" in caplog.text


# ------------------------------------------------------------------------------ row 10: a deleted segment file


def test_a_deleted_segment_file_falls_back_then_kb_index_rebuilds(built_site: Site, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    content, instance = two_generations(built_site, tmp_path)
    older, newer = sorted(p.name for p in instance.glob("index-*"))
    shared = sorted(p.name for p in (instance / newer).glob("*.seg") if (instance / older / p.name).exists())
    assert shared, "an incremental build hard-links the segments it keeps"
    (instance / newer / shared[0]).unlink()
    client = make_app(instance).test_client()
    with caplog.at_level(logging.WARNING, logger="kb.engine"):
        answer = client.get(KNOWN)  # the damaged generation is not served: the earlier whole one is
    assert answer.status_code == 200 and answer.get_json()["generation"] == older
    assert answer.get_json()["total"] >= 1
    assert f"{newer} is damaged and is not served: {shared[0]}: missing" in caplog.text
    assert f"serving the earlier generation {older} in place of {newer}" in caplog.text

    assert run_build(content, instance) == 0
    said = capsys.readouterr().out
    assert "Full build" in said and f"{newer} is damaged: {shared[0]}: missing" in said, said
    rebuilt = served_folder(instance).name
    assert rebuilt > newer and checksums.damage(instance / rebuilt) == {}
    answer = client.get(KNOWN)
    assert answer.status_code == 200 and answer.get_json()["generation"] == rebuilt
    assert answer.get_json()["total"] >= 1
    assert client.get("/en/mali/2020/operational-context").status_code == 200
    assert run_build(content, instance) == 0 and "up to date" in capsys.readouterr().out


def test_kb_index_finds_changed_bytes_in_the_served_generation(built_site: Site, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    content, instance = clone_site(built_site, tmp_path)
    site = served_folder(instance) / "kb-site.json"
    data = site.read_bytes()
    site.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    assert run_build(content, instance) == 0
    said = capsys.readouterr().out
    assert "Full build" in said and "kb-site.json: its bytes changed" in said, said
    assert checksums.damage(served_folder(instance)) == {}


def test_without_any_whole_generation_every_page_answers_503(built_site: Site, tmp_path: Path) -> None:
    _, instance = clone_site(built_site, tmp_path)
    next(served_folder(instance).glob("*.seg")).unlink()
    client = make_app(instance).test_client()
    answer = client.get(KNOWN)
    assert answer.status_code == 503 and "damaged" in answer.get_json()["reason"]
    page = client.get("/?q=eau&ui=fr")
    assert page.status_code == 503 and "endommagé" in page.get_data(as_text=True)


# -------------------------------------------------------------------- row 14: damage after the generation opened


def test_an_overwritten_sidecar_stops_being_used_after_the_verification_interval(
        built_site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _, instance = clone_site(built_site, tmp_path)
    interval = 0.3
    expected = search_all(make_app(instance).test_client())  # another app: its result cache is not this one's
    client = make_app(instance, KB_SETTINGS={"integrity_check_seconds": interval}).test_client()
    assert client.get(KNOWN).status_code == 200
    side = sidecar(served_folder(instance))
    with side.open("r+b") as handle:  # the middle third overwritten in place: same size, same inode
        size = side.stat().st_size
        handle.seek(size // 3)
        handle.write(random.Random(14).randbytes(size // 3))
    with caplog.at_level(logging.WARNING, logger="kb.engine"):
        time.sleep(interval * 5)
        assert search_all(client) == expected  # the segment is read from Whoosh's blocks now
    assert f"{side.name}: its bytes changed since the build" in caplog.text


def test_an_overwritten_segment_stops_being_served_after_the_verification_interval(built_site: Site,
                                                                                   tmp_path: Path) -> None:
    _, instance = clone_site(built_site, tmp_path)
    interval = 0.3
    client = make_app(instance, KB_SETTINGS={"integrity_check_seconds": interval}).test_client()
    assert client.get(KNOWN).status_code == 200
    segment = next(served_folder(instance).glob("*.seg"))
    with segment.open("r+b") as handle:
        handle.seek(segment.stat().st_size // 2)
        handle.write(b"\0" * 4096)
    time.sleep(interval * 5)
    answer = client.get(KNOWN)
    assert answer.status_code == 503 and "damaged" in answer.get_json()["reason"]
