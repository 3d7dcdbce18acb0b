"""Self-check of the mail corpora: manifests match files, the generator reproduces the bytes,
Maildir names carry plausible receipt times, and the well-formed samples say what they claim."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import subprocess
import sys
import tomllib
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.corpus import make_corpus

ROOT = make_corpus.REPOSITORY
EXAMPLES = ROOT / "examples"
MAILDIR = EXAMPLES / "sample-mailbox"
CLASSIFY = ROOT / "tests/corpus/classify"
MALFORMED = ROOT / "tests/corpus/malformed"
JOHANNESBURG = ZoneInfo("Africa/Johannesburg")
ORDER_REF = re.compile(r"KRZ-\d{4,}")
MAILDIR_NAME = re.compile(r"^(?P<ts>\d{10})\.M\d+P\d+\.sample(?P<info>:2,[A-Z]*)?$")
CLASSIFICATIONS = {"new_request", "reply", "duplicate", "not_a_request", "wrong_channel"}
SUB_KINDS = {"auto_reply", "bounce", "list", "privacy"}
REASONS = {"change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
           "cancel_recurring", "dispute", "other", "unclear"}


def manifest(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return tomllib.load(handle)["message"]


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def sha256_tree(root: Path, relatives: list[str]) -> dict[str, str]:
    return {rel: hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in relatives}


def text_body(message: EmailMessage) -> str:
    """The text a reader sees: text/plain parts, else the HTML with its tags removed."""
    plain, html = [], []
    for part in message.walk():
        if part.is_multipart() or part.is_attachment():
            continue
        if part.get_content_type() == "text/plain":
            plain.append(part.get_content())
        elif part.get_content_type() == "text/html":
            html.append(re.sub(r"<[^>]+>", " ", part.get_content()))
    return "\n".join(plain or html)


def order_refs(message: EmailMessage) -> list[str]:
    found = ORDER_REF.findall(str(message["Subject"] or "") + "\n" + text_body(message))
    return list(dict.fromkeys(found))


def sample_entries() -> list[dict[str, Any]]:
    return manifest(EXAMPLES / "manifest.toml")


def classify_entries() -> list[dict[str, Any]]:
    return manifest(CLASSIFY / "manifest.toml")


# --- the generator is the source of truth -------------------------------------------------


def test_generator_reproduces_committed_bytes(tmp_path: Path) -> None:
    """A fresh process (another hash seed) writes the same bytes as the committed files."""
    subprocess.run([sys.executable, "-m", "tests.corpus.make_corpus", "--root", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    expected = sorted(make_corpus.all_files())
    assert sha256_tree(tmp_path, expected) == sha256_tree(ROOT, expected)


def test_no_stale_or_missing_corpus_files() -> None:
    assert make_corpus.differences(ROOT) == []


def test_committed_corpus_is_small() -> None:
    total = sum(len(data) for data in make_corpus.all_files().values())
    assert total < 5 * 1024 * 1024


# --- every manifest entry has a file, every file an entry ---------------------------------


@pytest.mark.parametrize("directory", [CLASSIFY, MALFORMED], ids=["classify", "malformed"])
def test_corpus_manifest_and_files_agree(directory: Path) -> None:
    entries = manifest(directory / "manifest.toml")
    listed = [entry["file"] for entry in entries]
    assert len(listed) == len(set(listed))
    committed = {entry["file"] for entry in entries if not entry.get("generated")}
    on_disk = {path.name for path in directory.iterdir() if path.name != "manifest.toml"}
    assert committed == on_disk


def test_sample_manifest_and_maildir_agree() -> None:
    listed = {entry["file"] for entry in sample_entries()}
    on_disk = {path.relative_to(MAILDIR).as_posix()
               for path in MAILDIR.rglob("*") if path.is_file() and path.name != ".gitkeep"}
    assert listed == on_disk
    assert (MAILDIR / "tmp/.gitkeep").is_file()


# --- the demo Maildir ----------------------------------------------------------------------


@pytest.mark.parametrize("entry", sample_entries(), ids=lambda entry: entry["key"])
def test_sample_file_name_carries_a_plausible_receipt_time(entry: dict[str, Any]) -> None:
    folder, name = entry["file"].split("/")
    match = MAILDIR_NAME.match(name)
    assert match, name
    assert (match["info"] is not None) == (folder == "cur")
    received = datetime.fromtimestamp(int(match["ts"]), JOHANNESBURG)
    assert (received.year, received.month) == (2026, 11)
    assert received.weekday() < 5 and 8 <= received.hour < 17
    assert datetime.fromisoformat(entry["received_at"]) == received
    top_received = parse((MAILDIR / entry["file"]).read_bytes())["Received"]
    assert parsedate_to_datetime(str(top_received).rsplit(";", 1)[1].strip()) == received


def test_samples_arrive_in_file_name_order() -> None:
    stamps = [int(Path(entry["file"]).name.split(".")[0]) for entry in sample_entries()]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def well_formed_samples() -> list[dict[str, Any]]:
    return [entry for entry in sample_entries() if entry["stored"] == "complete"]


@pytest.mark.parametrize("entry", well_formed_samples(), ids=lambda entry: entry["key"])
def test_sample_parses_with_the_expected_headers(entry: dict[str, Any]) -> None:
    message = parse((MAILDIR / entry["file"]).read_bytes())
    for part in message.walk():
        assert not part.defects, (entry["key"], part.defects)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Received", "Delivered-To"):
        assert message[name] is not None, name
    assert str(message["Message-ID"]) == entry["message_id"]
    assert order_refs(message) == entry["order_refs"]
    if entry.get("customer"):
        senders = [str(message["From"]), str(message.get("Reply-To", "")), text_body(message)]
        assert any(entry["customer"] in sender.lower() for sender in senders)


def test_sample_date_headers_disagree_where_the_readme_says() -> None:
    skews = {}
    for entry in well_formed_samples():
        message = parse((MAILDIR / entry["file"]).read_bytes())
        sent = parsedate_to_datetime(str(message["Date"]))
        skews[entry["key"]] = (sent - datetime.fromisoformat(entry["received_at"])).total_seconds()
    assert skews["change-of-mind-late-forged-date"] < -6 * 86400
    assert 7000 < skews["thread-reply-url"] < 7300
    assert 0 < skews["html-only-seo"] < 600
    others = [skew for key, skew in skews.items() if key not in (
        "change-of-mind-late-forged-date", "thread-reply-url", "html-only-seo")]
    assert all(-60 <= skew <= 0 for skew in others)


def test_sample_threads_and_duplicates_point_backwards() -> None:
    entries = sample_entries()
    by_file = {entry["file"]: index for index, entry in enumerate(entries)}
    for index, entry in enumerate(entries):
        for key in ("thread_of", "duplicate_of"):
            if key in entry:
                assert by_file[entry[key]] < index
    reply = next(entry for entry in entries if entry["classification"] == "reply")
    message = parse((MAILDIR / reply["file"]).read_bytes())
    parent = entries[by_file[reply["thread_of"]]]
    assert parent["message_id"] in str(message["References"])
    assert "[R-000001]" in str(message["Subject"])


def test_orders_cover_every_sample_request() -> None:
    lines = (EXAMPLES / "orders.csv").read_text().splitlines()
    assert lines[0].startswith("order_id,customer_email,amount,currency,ordered_at,")
    orders = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    for line in orders.values():
        assert re.fullmatch(r"\d+\.\d{2}", line[2]) and line[3] == "ZAR"
        datetime.fromisoformat(line[4])
    for entry in sample_entries():
        for ref in entry["order_refs"]:
            assert ref in orders, ref


# --- the classification corpus -------------------------------------------------------------


@pytest.mark.parametrize("entry", classify_entries(), ids=lambda entry: entry["file"])
def test_classify_entry_is_consistent(entry: dict[str, Any]) -> None:
    raw = (CLASSIFY / entry["file"]).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = parse(raw)
    for part in message.walk():
        assert not part.defects, part.defects
    assert entry["classification"] in CLASSIFICATIONS
    assert entry["language"] in {"en", "fr"}
    assert ("sub_kind" in entry) == (entry["classification"] == "not_a_request")
    assert entry.get("sub_kind", "auto_reply") in SUB_KINDS
    assert ("reason" in entry) == (entry["classification"] in
                                   {"new_request", "duplicate", "wrong_channel"})
    assert entry.get("reason", "other") in REASONS
    assert order_refs(message) == entry["order_refs"]
    unfolded = raw.decode("utf-8", "replace").replace("\r\n\t", " ").replace("\r\n ", " ")
    for signal in entry.get("signals", []):
        assert signal in unfolded if ": " in signal else message[signal] is not None, signal


def test_classify_threads_use_only_the_named_signal() -> None:
    entries = classify_entries()
    by_file = {entry["file"]: index for index, entry in enumerate(entries)}
    for index, entry in enumerate(entries):
        if entry["classification"] == "duplicate":
            assert by_file[entry["duplicate_of"]] < index
        if entry["classification"] != "reply":
            continue
        parent = entries[by_file[entry["thread_of"]]]
        assert by_file[entry["thread_of"]] < index
        assert parent["classification"] == "new_request"
        message = parse((CLASSIFY / entry["file"]).read_bytes())
        parent_id = str(parse((CLASSIFY / parent["file"]).read_bytes())["Message-ID"])
        in_reply_to, references = message["In-Reply-To"], message["References"]
        token = re.search(r"\[(R-\d{6})\]", str(message["Subject"]))
        signals = {
            "references": references is not None and parent_id in str(references),
            "in_reply_to": in_reply_to is not None and str(in_reply_to) == parent_id,
            "subject_token": token is not None,
        }
        assert signals[entry["thread_by"]], entry["file"]
        if entry["thread_by"] == "references":
            assert in_reply_to is None and token is None
        if entry["thread_by"] == "subject_token":
            assert in_reply_to is None and references is None
            assert token and token[1] == entry["subject_token"]


def test_first_classify_request_is_the_token_parent() -> None:
    first = next(e for e in classify_entries() if e["classification"] == "new_request")
    assert first["file"] == "en_change_of_mind.eml"


# --- the malformed corpus ------------------------------------------------------------------


def test_malformed_manifest_fields() -> None:
    entries = manifest(MALFORMED / "manifest.toml")
    assert len(entries) >= 14
    for entry in entries:
        assert entry["expect"] in {"stored", "quarantined"}
        assert re.fullmatch(r"[a-z0-9_]+", entry["reason"])
        assert entry["problem"]
        if entry.get("generated"):
            assert callable(getattr(make_corpus, entry["generator"]))


def test_malformed_bytes_are_broken_as_described() -> None:
    def read(name: str) -> bytes:
        return (MALFORMED / name).read_bytes()

    head, body = read("nul_bytes.eml").split(b"\r\n\r\n", 1)
    assert b"\x00" in head and b"\x00" in body
    assert read("outlook_item.msg").startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
    assert read("empty.eml") == b""
    assert b"\r\n\r\n" not in read("headers_only.eml")
    assert re.search(rb"^Subject: [^\r]*[\x80-\xff]", read("raw_8bit_headers.eml"), re.MULTILINE)
    assert b"\nDate:" not in read("missing_date.eml")
    assert b"\nMessage-ID:" not in read("missing_message_id.eml")
    assert not read("truncated_mid_base64.eml").endswith(b"\n")
    gbk = parse(read("gb2312_holding_gbk.eml")).get_payload(decode=True)
    assert "镕" in gbk.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("gb2312")
    header_block = read("huge_header.eml").split(b"\r\n\r\n", 1)[0]
    assert len(header_block) >= 200 * 1024
    assert read("huge_header.eml") == make_corpus.make_huge_header_message(200)


def test_many_parts_generator() -> None:
    raw = make_corpus.make_many_parts_message(3000)
    assert 2.5 * 1024 * 1024 < len(raw) < 4 * 1024 * 1024
    assert raw.count(b"\r\n--=_parts_0f1e2d3c\r\n") == 3001
    assert raw == make_corpus.make_many_parts_message(3000)


def test_large_attachment_generator() -> None:
    raw = make_corpus.make_large_attachment_message(25)
    assert len(raw) > 25 * 1024 * 1024 * 4 // 3
    attachment = next(parse(raw).iter_attachments())
    assert len(attachment.get_content()) == 25 * 1024 * 1024
    assert hashlib.sha256(raw).digest() == hashlib.sha256(
        make_corpus.make_large_attachment_message(25)).digest()
