"""Which text is CJK, and which is written without spaces between words."""
from foresyte_desktop.core.text import has_cjk, mostly_unspaced


def test_chinese_and_japanese_are_unspaced_korean_and_latin_are_not():
    assert mostly_unspaced("今天我们去海边看日出")
    assert mostly_unspaced("記得点赞 2026")  # four of eight characters, spaces aside
    assert mostly_unspaced("カメラを止めるな")
    assert not mostly_unspaced("오늘 해돋이를 보러 가요")  # Hangul has spaces between words
    assert not mostly_unspaced("Gate 14 closes 日")
    assert not mostly_unspaced("")
    assert has_cjk("오늘") and has_cjk("Gate 日") and not has_cjk("Gate 14")
