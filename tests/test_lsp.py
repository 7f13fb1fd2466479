"""The language server, driven over stdio with real LSP JSON-RPC messages in a subprocess."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

pytest.importorskip("pygls")

SERVE = "from directive_dsl.lsp import serve; serve()"
TIMEOUT = 10.0

DOCUMENT = """\
directive "Trade" period 2026 to 2030

dataset trade from "trade.csv"
  time year
  dimensions partner, product
  measure value million USD aggregate sum
  measure quantity kg

unit kt = 1000 t
domain partner = ["CN", "DE"]
let cn = trade.value[partner = "CN"]

@source "Directive No. 9, para 2"
rule cn_total "Exports to China":
  require cn >= 5 million USD per year

rule dairy "Dairy":
  require trade.quantity[product = "0402"] >= 50 kt per year
"""


class Client:
    """A minimal LSP client: Content-Length framing, requests by id, notifications kept."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if not line:
                return
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        wanted = self.next_id
        self.send({"id": wanted, "method": method, "params": params})
        message = self._wait(lambda m: m.get("id") == wanted and "method" not in m)
        assert "error" not in message, message
        return message.get("result")

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        """The next diagnostics published for *uri*."""
        found = self._wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            )
        )
        return list(found["params"]["diagnostics"])

    def _wait(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        kept: list[dict[str, Any]] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no answer from the server in {TIMEOUT} s: {kept}")
                message = self.messages.get(timeout=left)
                if wanted(message):
                    return message
                kept.append(message)
        finally:
            for message in kept:
                self.messages.put(message)

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.request("shutdown", {})
                self.notify("exit", {})
                self.process.wait(timeout=5)
        except Exception:
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=5)
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lsp")
    (path / "common.directive").write_text('let EU = ["DE", "FR"]\nunit bag = 60 kg\n', "utf-8")
    return path


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[Client]:
    client = Client(folder)
    try:
        result = client.request(
            "initialize",
            {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}},
        )
        capabilities = result["capabilities"]
        for feature in (
            "hoverProvider",
            "completionProvider",
            "definitionProvider",
            "documentSymbolProvider",
            "documentFormattingProvider",
        ):
            assert capabilities.get(feature), feature
        client.notify("initialized", {})
        yield client
    finally:
        client.close()


def open_document(client: Client, path: Path, text: str) -> str:
    uri = path.as_uri()
    document = {"uri": uri, "languageId": "directive", "version": 1, "text": text}
    client.notify("textDocument/didOpen", {"textDocument": document})
    return uri


def at(text: str, needle: str, shift: int = 0) -> dict[str, int]:
    """The LSP position of *needle* in *text* (plus *shift* characters)."""
    offset = text.index(needle) + shift
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def test_unknown_name_gives_a_diagnostic_on_its_line(client: Client, folder: Path) -> None:
    text = DOCUMENT.replace("require cn >=", "require cm >=")
    uri = open_document(client, folder / "unknown.directive", text)
    found = client.diagnostics(uri)
    errors = [d for d in found if d["severity"] == 1]
    assert errors, found
    assert errors[0]["code"] == "E201"
    assert "`cm`" in errors[0]["message"]
    assert errors[0]["range"]["start"] == at(text, "cm >=")
    assert errors[0]["range"]["end"] == at(text, "cm >=", 2)


def test_change_updates_diagnostics(client: Client, folder: Path) -> None:
    uri = open_document(client, folder / "changing.directive", "let x = 1\n")
    assert client.diagnostics(uri) == []
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": "let x = 1\nlet x = (\n"}],
        },
    )
    found = client.diagnostics(uri)
    assert [d["range"]["start"]["line"] for d in found] == [1]
    assert found[0]["code"] == "E101"


def test_warnings_are_warnings(client: Client, folder: Path) -> None:
    uri = open_document(
        client, folder / "warn.directive", "dataset d\n  measure v\nrequire d.v >= 5 USD\n"
    )
    found = client.diagnostics(uri)
    assert found
    assert {d["severity"] for d in found} == {2}


def test_imports_resolve_beside_the_document(client: Client, folder: Path) -> None:
    text = 'import "common.directive"\nrequire trade >= 1 bag per year\nlet members = EU\n'
    uri = open_document(client, folder / "importing.directive", text)
    assert [d for d in client.diagnostics(uri) if d["severity"] == 1] == []
    found = client.request(
        "textDocument/definition",
        {"textDocument": {"uri": uri}, "position": at(text, "EU\n")},
    )
    assert found[0]["uri"] == (folder / "common.directive").as_uri()
    assert found[0]["range"]["start"] == {"line": 0, "character": 4}


@pytest.fixture(scope="module")
def document(client: Client, folder: Path) -> str:
    uri = open_document(client, folder / "trade.directive", DOCUMENT)
    assert client.diagnostics(uri) == []
    return uri


def hover_text(client: Client, uri: str, needle: str, shift: int = 0) -> str:
    result = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": at(DOCUMENT, needle, shift)},
    )
    assert result is not None, needle
    return str(result["contents"]["value"])


def test_hover(client: Client, document: str) -> None:
    measure = hover_text(client, document, "value[", 1)
    assert "`million USD`" in measure
    assert "`sum`" in measure
    assert 'let cn = trade.value[partner = "CN"]' in hover_text(client, document, "cn >=")
    rule = hover_text(client, document, "cn_total")
    assert "Exports to China" in rule
    assert "Directive No. 9, para 2" in rule
    assert "measure quantity kg" in hover_text(client, document, "trade.quantity")
    assert "mass" in hover_text(client, document, "kt per", 1)
    assert 'domain partner = ["CN", "DE"]' in hover_text(client, document, 'partner = "CN"]')


def complete(client: Client, uri: str, position: dict[str, int]) -> list[str]:
    result = client.request(
        "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
    )
    items = result["items"] if isinstance(result, dict) else result
    return [item["label"] for item in items]


def test_completion(client: Client, folder: Path) -> None:
    text = DOCUMENT + "require trade."
    uri = open_document(client, folder / "completing.directive", text)
    client.diagnostics(uri)
    end = {"line": text.count("\n"), "character": len("require trade.")}
    assert complete(client, uri, end) == ["value", "quantity"]
    anywhere = complete(client, uri, {"line": 2, "character": 0})
    for expected in ("trade", "cn", "share", "growth", "require", "dataset"):
        assert expected in anywhere
    selector = complete(client, uri, at(text, 'partner = "CN"]'))
    assert {"partner", "product"} <= set(selector)
    units = complete(client, uri, at(text, "kt per", 1))
    assert {"kt", "kg", "USD", "%"} <= set(units)


def test_definition(client: Client, document: str) -> None:
    def target(needle: str, shift: int = 0) -> dict[str, int]:
        found = client.request(
            "textDocument/definition",
            {"textDocument": {"uri": document}, "position": at(DOCUMENT, needle, shift)},
        )
        assert len(found) == 1, (needle, found)
        assert found[0]["uri"] == document
        return dict(found[0]["range"]["start"])

    assert target("cn >=") == at(DOCUMENT, "cn = trade")
    assert target("trade.quantity") == at(DOCUMENT, "trade from")
    assert target("quantity[", 1) == at(DOCUMENT, "quantity kg")
    assert target("kt per") == at(DOCUMENT, "kt = 1000")
    assert target('partner = "CN"]') == at(DOCUMENT, "partner = [")


def test_document_symbols(client: Client, document: str) -> None:
    found = client.request("textDocument/documentSymbol", {"textDocument": {"uri": document}})
    names = [(s["name"], s["kind"]) for s in found]
    assert ("trade", 5) in names
    assert ("cn", 13) in names
    assert ("cn_total", 12) in names
    assert ("dairy", 12) in names
    assert ("kt", 14) in names
    assert ("partner", 10) in names
    trade = next(s for s in found if s["name"] == "trade")
    assert [c["name"] for c in trade["children"]] == ["value", "quantity"]


def test_formatting(client: Client, folder: Path) -> None:
    text = "let   x=1\nrule r:require x>0   # note\n"
    uri = open_document(client, folder / "messy.directive", text)
    client.diagnostics(uri)
    edits = client.request(
        "textDocument/formatting",
        {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}},
    )
    assert len(edits) == 1
    assert edits[0]["newText"] == "let x = 1\n\nrule r:\n  require x > 0  # note\n"
    assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
    assert edits[0]["range"]["end"] == {"line": 2, "character": 0}
    broken = open_document(client, folder / "broken.directive", "let x = = 1\n")
    client.diagnostics(broken)
    assert not client.request(
        "textDocument/formatting",
        {"textDocument": {"uri": broken}, "options": {"tabSize": 2, "insertSpaces": True}},
    )


WAIVERS = DOCUMENT + """
rule by_partner "Exports per partner":
  require trade.value[partner] >= 1 million USD per year

waive by_partner[partner = "DE"] until 2027 because "Plant closure"
waive """


def test_waivers_hover_complete_and_go_to_their_rule(client: Client, folder: Path) -> None:
    uri = open_document(client, folder / "waivers.directive", WAIVERS)
    client.diagnostics(uri)
    end = {"line": WAIVERS.count("\n"), "character": len("waive ")}
    assert complete(client, uri, end) == ["cn_total", "dairy", "by_partner"]
    result = client.request("textDocument/hover",
                            {"textDocument": {"uri": uri}, "position": at(WAIVERS, "by_partner[", 2)})
    assert "**rule** `by_partner`: Exports per partner" in result["contents"]["value"]
    result = client.request("textDocument/hover",
                            {"textDocument": {"uri": uri}, "position": at(WAIVERS, '"Plant', 2)})
    assert "**waiver** of rule `by_partner` until 2027" in result["contents"]["value"]
    assert "Plant closure" in result["contents"]["value"]
    found = client.request("textDocument/definition",
                           {"textDocument": {"uri": uri}, "position": at(WAIVERS, "by_partner[", 2)})
    assert [f["range"]["start"] for f in found] == [at(WAIVERS, "by_partner \"Exports")]


def test_a_waivers_condition_completes_the_dimensions_of_its_rule(client: Client, folder: Path) -> None:
    text = WAIVERS.removesuffix("waive ") + 'waive by_partner[partner = "CN"] because "x"\n'
    uri = open_document(client, folder / "waiver_condition.directive", text)
    assert client.diagnostics(uri) == []
    assert complete(client, uri, at(text, 'partner = "CN"] because')) == ["partner", "in", "not", "and", "or"]
    assert "waive" in complete(client, uri, {"line": text.count("\n"), "character": 0})


def test_completion_of_file_options(client: Client, folder: Path) -> None:
    text = 'dataset exports from "exports.csv" with delimiter ";", \n'
    uri = open_document(client, folder / "options.directive", text)
    client.diagnostics(uri)
    after_comma = complete(client, uri, {"line": 0, "character": len(text) - 1})
    assert after_comma == ["delimiter", "decimal", "encoding", "header", "sheet"]
    after_with = complete(client, uri, {"line": 0, "character": len('dataset exports from "exports.csv" with ')})
    assert after_with == after_comma
    whole = 'dataset exports from "exports.csv" with delimiter ";"\n'
    uri = open_document(client, folder / "options_whole.directive", whole)
    client.diagnostics(uri)
    result = client.request("textDocument/hover",
                            {"textDocument": {"uri": uri}, "position": at(whole, "delimiter", 2)})
    assert result["contents"]["value"] == 'file option `delimiter`: the character between cells: delimiter ";"'



def test_hover_explains_fill_and_as_of(client: Client, folder: Path) -> None:
    text = 'dataset inv from "inv.csv"\n  time month\n  measure amount USD\n  fill 0\n  as of 2026-04\n'
    uri = open_document(client, folder / "clauses.directive", text)
    client.diagnostics(uri)
    for word, wanted in (("fill 0", "`fill 0`: a group with no row"), ("as of", "`as of P`: the dataset")):
        result = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": at(text, word, 1)})
        assert wanted in result["contents"]["value"]
