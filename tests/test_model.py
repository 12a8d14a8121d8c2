import pickle
import random
import re

from poe_checker.model import Page, Word, merge_bboxes


def boxed(text: str, number: int = 1) -> Page:
    words = [Word(m.group(), m.start(), m.end(), (5.0 * m.start(), 0.0, 5.0 * m.end(), 10.0))
             for m in re.finditer(r"\S+", text)]
    return Page(number, text, tuple(words))


def naive_bbox(page: Page, start: int, end: int):
    return merge_bboxes([w.bbox for w in page.words if w.start < end and w.end > start])


def test_anchor_by_bisection_equals_a_scan_of_every_word_even_when_words_come_unsorted():
    text = " ".join(f"w{i}" * (i % 4 + 1) for i in range(300))
    page = boxed(text)
    shuffled = Page(1, text, tuple(random.Random(1).sample(page.words, len(page.words))))
    rng = random.Random(7)
    for _ in range(500):
        a = rng.randrange(len(text))
        b = rng.randrange(a, min(len(text), a + 80) + 1)
        assert shuffled.bbox_of(a, b) == naive_bbox(page, a, b)
        assert shuffled.anchor(a, b).text == text[a:b].strip()


def test_pages_without_words_have_no_boxes():
    assert Page(1, "no words").anchor(0, 2).bbox is None


def test_a_page_survives_pickling_after_its_index_was_built():
    page = boxed("Date Signed 6/5/2025")
    before = page.anchor(0, 11)
    copy = pickle.loads(pickle.dumps(page))
    assert copy == page and hash(copy) == hash(page)
    assert copy.anchor(0, 11) == before
