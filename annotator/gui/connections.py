"""More connections to the window's database, for the threads that need their own."""

from __future__ import annotations

from typing import Callable

from annotator.core.store import Store


def sibling_store(store: Store, *, timeout: float = 5.0, tokenizer: Callable | None = None) -> Store:
    """A Store on its own connection to `store`'s database, for use by one other thread."""
    return Store(store.path, tokenizer=tokenizer or store.tokenizer, timeout=timeout, read_only=store.read_only)
