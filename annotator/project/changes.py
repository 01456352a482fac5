"""What a use case changed: the store's ChangeSet, heard while the use case runs."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Callable, TypeVar

from annotator.core.store import ChangeSet, Store

T = TypeVar("T")


def run_recording(store: Store, action: Callable[[], T]) -> tuple[T, ChangeSet]:
    """Run `action` (store writes) and return its result with everything it changed."""
    heard: list[ChangeSet] = []
    unsubscribe = store.subscribe(heard.append)
    try:
        result = action()
    finally:
        unsubscribe()
    return result, reduce(or_, heard, ChangeSet())
