"""Where the time goes: accumulate the time spent inside chosen methods of one object, by
wrapping them on that instance only (the class and every other instance are untouched)."""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps


@contextmanager
def time_spent(obj: object, *names: str) -> Iterator[dict[str, float]]:
    """Yields {method name: seconds}, filled while the block runs. Re-entrant calls (one
    wrapped method calling another) are counted once, under the outermost."""
    spent: dict[str, float] = defaultdict(float)
    depth = [0]

    def wrap(name: str, method):
        @wraps(method)
        def timed(*args, **kwargs):
            if depth[0]:
                return method(*args, **kwargs)
            depth[0] += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
                depth[0] -= 1
        return timed

    for name in names:
        setattr(obj, name, wrap(name, getattr(obj, name)))
    try:
        yield spent
    finally:
        for name in names:
            delattr(obj, name)
