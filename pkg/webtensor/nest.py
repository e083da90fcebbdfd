"""tf.nest: flatten and rebuild nested lists, tuples, namedtuples and dicts (dicts in sorted-key order)."""
import collections.abc


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(structure):
    """True for lists, tuples, dicts and other mappings.

    >>> tf.nest.is_nested([1, 2])
    True
    """
    return isinstance(structure, (list, tuple, collections.abc.Mapping))


def _children(x):
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    return list(x)


def _sorted_keys(mapping):
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=repr)


def flatten(structure, expand_composites=False):
    """The leaves of a nested structure, depth first.

    >>> tf.nest.flatten({"b": 2, "a": [1, 3]})
    [1, 3, 2]
    """
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out):
    if is_nested(x):
        for c in _children(x):
            _flatten_into(c, out)
    else:
        out.append(x)


def _rebuild(like, children):
    if isinstance(like, collections.abc.Mapping):
        keys = _sorted_keys(like)
        values = dict(zip(keys, children))
        if type(like) is dict:
            return {k: values[k] for k in like}
        if isinstance(like, collections.defaultdict):
            return type(like)(like.default_factory, ((k, values[k]) for k in like))
        return type(like)((k, values[k]) for k in like)
    if _is_namedtuple(like):
        return type(like)(*children)
    if isinstance(like, tuple):
        return tuple(children)
    return list(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure` with leaves taken in order from flat_sequence.

    >>> tf.nest.pack_sequence_as([0, (0, 0)], [1, 2, 3])
    [1, (2, 3)]
    """
    flat = list(flat_sequence)
    pos = [0]

    def build(x):
        if is_nested(x):
            return _rebuild(x, [build(c) for c in _children(x)])
        if pos[0] >= len(flat):
            raise ValueError(f"Structure had more leaves than the flat sequence ({len(flat)}).")
        v = flat[pos[0]]
        pos[0] += 1
        return v

    result = build(structure)
    if pos[0] != len(flat):
        raise ValueError(f"Structure had {pos[0]} leaves, but flat_sequence had {len(flat)} items.")
    return result


def map_structure(func, *structures, **kwargs):
    """Applies func leafwise across structures of the same shape.

    >>> tf.nest.map_structure(lambda a, b: a + b, [1, 2], [10, 20])
    [11, 22]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*args) for args in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError when two structures do not have the same nesting."""
    def shape(x):
        if is_nested(x):
            kind = "dict" if isinstance(x, collections.abc.Mapping) else "seq"
            keys = tuple(_sorted_keys(x)) if kind == "dict" else None
            return (kind, keys, tuple(shape(c) for c in _children(x)))
        return None
    if shape(nest1) != shape(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
