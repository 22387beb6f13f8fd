"""editor.core.kept: results found by the very object they were made from, the last few only."""
from editor.core.kept import Kept


def test_a_result_is_found_by_its_source_object_and_key_and_the_oldest_goes_first():
    kept, made = Kept(2), []
    a, b, c, same_as_a = [1], [2], [3], [1]  # equal lists, distinct objects
    make = lambda name: lambda: made.append(name) or name  # noqa: E731
    assert kept.get(a, "k", make("a")) == "a" and kept.get(a, "k", make("again")) == "a"
    assert kept.get(same_as_a, "k", make("equal")) == "equal"  # an equal object is another source
    assert kept.get(a, "other", make("a2")) == "a2"  # a third entry: the first one (a, "k") goes
    assert kept.get(a, "k", make("a again")) == "a again"
    kept.get(b, "k", make("b")), kept.get(c, "k", make("c"))
    assert made == ["a", "equal", "a2", "a again", "b", "c"]
