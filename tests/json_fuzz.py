"""Hypothesis helpers shared by the fuzz tests of the sidecar and preset parsers: JSON trees that use a
format's own words, and a valid document with any one part replaced."""
from __future__ import annotations

from hypothesis import strategies as st


def json_trees(words: list[str], keys: list[str]):
    """Any JSON value, its strings and keys drawn partly from `words` and `keys` so the parser's own
    fields come up often."""
    scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
               | st.text(max_size=12) | st.sampled_from(words))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=10) | st.sampled_from(keys), inner, max_size=4),
                        max_leaves=25)


def _paths(tree, prefix=()):
    """Every path (tuple of keys/indices) into a JSON tree, the root included."""
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, prefix + (i,))


def _replace(tree, path, value):
    if not path:
        return value
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[path[0]] = _replace(tree[path[0]], path[1:], value)
    return copy


def one_part_replaced(data, tree, values):
    """`tree` with one part (any node, the root included) replaced by a value drawn from `values`."""
    path = data.draw(st.sampled_from(list(_paths(tree))))
    return _replace(tree, path, data.draw(values))
