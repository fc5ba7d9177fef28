"""Formats in a release build: published atomically, listed in release.json, linked from the
release index, covered by the cache (a no-change rebuild renders no format)."""

from __future__ import annotations

import hashlib
import json

import pytest
from release_helpers import build_tiny, snapshot, tiny_notebooks

from rutland_jsna import cli
from rutland_jsna.release import outputs as O
from rutland_jsna.release.index import read_manifest

pytestmark = pytest.mark.browser  # the PDF is printed by Debian chromium
ALL = ["outcomes", "sexual_health", "oral_health"]
FORMATS = "html,pdf,xlsx,docx"


_build = build_tiny


@pytest.fixture
def built(tmp_path):
    tiny_notebooks(tmp_path / "nb")
    return _build(tmp_path, formats=FORMATS)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_format_is_published_listed_and_linked(built):
    folder = built.folder
    manifest = read_manifest(folder)
    assert manifest.formats == ["html", "pdf", "xlsx", "docx"]
    expected = {f"{c}.{e}" for c in ALL for e in ("html", "pdf", "xlsx", "docx")}
    expected.add(O.RELEASE_WORKBOOK)
    assert set(manifest.outputs) == expected
    for name, out in manifest.outputs.items():
        path = folder / name
        assert path.is_file(), name
        assert out["sha256"] == _sha(path) and out["bytes"] == path.stat().st_size
        assert out["seconds"] >= 0 and out["reused"] is False
        if out["chapter"]:
            assert manifest.chapter_builds[out["chapter"]]["files"][name] == out["sha256"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for c in ALL:
        for ext in ("pdf", "xlsx", "docx"):
            assert f'href="{c}.{ext}"' in index
    assert f'href="{O.RELEASE_WORKBOOK}"' in index
    assert "Other formats" in index
    assert not list(folder.glob(".*")), "a temporary file was published"


def test_no_change_rebuild_renders_no_format(tmp_path, built, monkeypatch):
    before = snapshot(built.folder)

    def fail(*args, **kwargs):
        raise AssertionError("a format was rendered again")

    monkeypatch.setattr(O, "_render", fail)
    again = _build(tmp_path, formats=FORMATS)
    assert again.rebuilt == []
    assert all(o["reused"] for o in again.outputs.values())
    after = snapshot(again.folder)
    assert {k for k in before if before[k] != after.get(k)} <= {"release.json", "index.html"}


def test_no_change_rebuild_in_every_format_imports_no_statistics_stack(tmp_path, built):
    """As for HTML alone (test_release_incremental): reusing every format costs hashes and
    links, without pandas, the writers of the formats or a browser."""
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from rutland_jsna.cli import main\n"
        f"rc = main(['build', '--release', '2026-Q1', '--engine', 'inprocess', '--no-progress',"
        f" '--formats', 'all', '--notebooks', {str(tmp_path / 'nb')!r},"
        f" '--reports', {str(tmp_path / 'reports')!r}])\n"
        "print(json.dumps({'rc': rc, 'modules': sorted(sys.modules)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["rc"] == 0 and out.count("unchanged, reused") == 4 * len(ALL) + 1
    heavy = {"pandas", "numpy", "scipy", "matplotlib", "nbformat", "xlsxwriter", "docx",
             "lxml", "playwright", "rutland_jsna.report.formats.xlsx"}
    assert not heavy & set(result["modules"])


def test_adding_a_format_renders_only_that_format(tmp_path, monkeypatch):
    tiny_notebooks(tmp_path / "nb")
    _build(tmp_path, formats="xlsx")
    rendered = []
    real = O._render

    def spy(fmt, ch, out, *args):
        rendered.append((fmt, ch.chapter))
        return real(fmt, ch, out, *args)

    monkeypatch.setattr(O, "_render", spy)
    again = _build(tmp_path, formats="xlsx,docx")
    assert again.rebuilt == []
    assert sorted(rendered) == sorted(("docx", c) for c in ALL)
    assert {n for n, o in again.outputs.items() if not o["reused"]} == {f"{c}.docx" for c in ALL}


def test_a_new_docx_template_renders_only_the_word_documents(tmp_path, built):
    import docx

    template = tmp_path / "council.docx"
    docx.Document().save(template)
    again = _build(tmp_path, formats=FORMATS, docx_template=template)
    fresh = {n for n, o in again.outputs.items() if not o["reused"]}
    assert fresh == {f"{c}.docx" for c in ALL}


def test_html_only_build_publishes_no_other_format(tmp_path):
    tiny_notebooks(tmp_path / "nb")
    result = _build(tmp_path)
    manifest = read_manifest(result.folder)
    assert manifest.formats == ["html"]
    assert {o["format"] for o in manifest.outputs.values()} == {"html"}
    assert not list(result.folder.glob("*.pdf")) and not list(result.folder.glob("*.xlsx"))
    assert "Other formats" not in (result.folder / "index.html").read_text(encoding="utf-8")


def test_a_failing_format_publishes_nothing(tmp_path, built, monkeypatch):
    before = snapshot(built.folder)

    def broken(fmt, *args):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(O, "_render", broken)
    with pytest.raises(O.FormatError, match="printer on fire"):
        _build(tmp_path, formats=FORMATS, incremental=False)
    assert snapshot(built.folder) == before
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".2026")]


def test_cli_formats_options(tmp_path, capsys):
    tiny_notebooks(tmp_path / "nb")
    base = ["build", "--engine", "inprocess", "--no-progress", "--release", "2026-Q1",
            "--reports", str(tmp_path / "reports"), "--notebooks", str(tmp_path / "nb")]
    with pytest.raises(SystemExit) as exc:
        cli.main([*base, "--formats", "html,odt"])
    assert exc.value.code == 2 and "unknown odt" in capsys.readouterr().err
    assert cli.main([*base, "--formats", "xlsx", "--docx-template", "x.docx"]) == 1
    assert "needs docx" in capsys.readouterr().err
    assert cli.main([*base, "--formats", "docx", "--docx-template",
                     str(tmp_path / "missing.docx")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["build", "--all-areas", "--formats", "pdf"]) == 2
    assert cli.main([*base, "--formats", "xlsx"]) == 0
    out = capsys.readouterr().out
    assert "outcomes.xlsx" in out and O.RELEASE_WORKBOOK in out
    manifest = json.loads((tmp_path / "reports" / "2026-Q1" / "release.json").read_text())
    assert manifest["formats"] == ["html", "xlsx"]
