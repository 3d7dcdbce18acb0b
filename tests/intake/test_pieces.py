"""Subword pieces (intake/pieces.py): the cut of a word into the vocabulary's pieces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.pieces import LONGEST_RUN, META, Vocabulary, vocabulary

# A small vocabulary whose scores make the best cut plain to see.
SMALL = Vocabulary([META + "re", META + "refund", "fund", "ed", META, "e", "d", "r", "f", "u", "n"],
                   [-3.0, -4.0, -5.0, -2.0, -1.0, -6.0, -6.0, -6.0, -6.0, -6.0, -6.0])


@pytest.mark.parametrize("word, pieces", [
    (META + "refund", (META + "refund",)),              # one piece beats re + fund (-4 against -8)
    (META + "refunded", (META + "refund", "ed")),
    (META + "rex", (META + "re",)),                     # a character no piece covers is left out
    (META + "xyz", (META,)),
    ("", ()),
])
def test_a_word_is_cut_into_the_pieces_whose_scores_sum_highest(word: str, pieces: tuple[str, ...]) -> None:
    assert SMALL.cut(word) == pieces


@pytest.mark.parametrize("text, words", [
    ("Refund  NOW", [META + "refund", META + "now"]),   # lower case, white space of any width
    ("refund Refund now REFUND", [META + "refund", META + "now"]),  # each word once, first seen first
    ("ｒｅｆｕｎｄ", [META + "refund"]),                 # NFKC: full-width letters are letters
    ("", []),
    ("Order KRZ-26-0101: refund 2x", [META + "order", META + "refund"]),  # words with a digit say no why
    ("退" * (LONGEST_RUN + 2), [META + "退" * LONGEST_RUN, META + "退退"]),  # long runs cut in parts
    ("Hello, a refund. Refund?!", [META + "hello", META + "a", META + "refund"]),  # punctuation is no part
    ("isn't l’achat e-mail/post", [META + "isn't", META + "l’achat", META + "e", META + "mail", META + "post"]),
    ("返金してください。お願いします", [META + "返金してください", META + "お願いします"]),
    ("...  -- ?", []),
])
def test_text_is_normalised_and_split_into_marked_words(text: str, words: list[str]) -> None:
    assert SMALL.words(text) == words


@pytest.mark.parametrize("text, pieces", [
    ("It was never delivered", ["▁it", "▁was", "▁never", "▁deliver", "ed"]),
    ("배송이 안 왔어요", ["▁배송", "이", "▁안", "왔", "어요"]),
    ("Die Ware ist nie angekommen", ["▁die", "▁ware", "▁ist", "▁nie", "▁angekommen"]),
    # pieces the model knows only capitalised are kept lower-cased: "Hello", a German noun
    ("Hello, die Bestellung!", ["▁hello", "▁die", "▁bestellung"]),
])
def test_the_shipped_vocabulary_cuts_customers_words_as_the_sentence_model_does(text: str, pieces: list[str]) -> None:
    assert vocabulary().pieces(text) == pieces


@given(st.text(max_size=80))
def test_the_pieces_spell_the_normalised_text_but_what_no_piece_covers(text: str) -> None:
    """Pieces never invent text: joined, they are the marked words with at most some characters
    left out, in order."""
    shipped = vocabulary()
    for word in shipped.words(text):
        joined = "".join(shipped.cut(word))
        rest = iter(word)
        assert all(ch in rest for ch in joined)  # a subsequence of the word
        assert all(piece in shipped.index for piece in shipped.cut(word))
