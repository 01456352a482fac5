"""Run the tokenizer or the suggestion pipeline over batches of texts on all cores (a process pool)
or on a Ray cluster; results come back in input order, to be written by one writer.

Each worker builds its pipeline once. At most a few batches per worker are in flight, so memory
does not grow with the corpus. Workers ignore Ctrl+C: the caller's process stops them and keeps
only what it has written whole."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import socket
from collections import deque
from typing import Any, Callable, Iterable, Iterator

BATCH = 64  # texts per task
IN_FLIGHT = 2  # tasks per worker waiting or running


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batches(items: Iterable[tuple[str, Any]], size: int) -> Iterator[tuple[list[str], list]]:
    """(texts, keys) of up to `size` consecutive (text, key) items."""
    texts, keys = [], []
    for text, key in items:
        texts.append(text)
        keys.append(key)
        if len(texts) >= size:
            yield texts, keys
            texts, keys = [], []
    if texts:
        yield texts, keys


# ---- worker side ---------------------------------------------------------------------------------
_NLP = None


def _one_thread_each() -> None:
    """Ctrl+C is for the parent; one BLAS thread per worker (the workers already fill the cores: more
    threads would only fight over them). Before numpy is imported."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"


def _start_worker(model_dir: str | None, config: dict | None) -> None:
    """Process-pool initializer: build the pipeline once."""
    _one_thread_each()
    global _NLP
    from annotator.nlp.pipeline import build_pipeline

    _NLP = build_pipeline(model_dir, config)


def suggestion_records(nlp, texts: list[str]) -> list[dict]:
    """Records of the pipeline's suggestions; meta.model names the pipeline (nlp.suggest.model_name)."""
    from annotator.nlp.pipeline import doc_to_record
    from annotator.nlp.suggest import model_name

    name = model_name(nlp)
    return [doc_to_record(doc, meta={"model": name}) for doc in nlp.pipe(texts)]


def _run_batch(texts: list[str]) -> list[dict]:
    return suggestion_records(_NLP, texts)


def _tokenize(texts: list[str]) -> list[bytes]:
    from annotator.nlp.tokenizer import packed_token_offsets

    return [packed_token_offsets(text) for text in texts]


# ---- caller side ---------------------------------------------------------------------------------
def _ordered(submit, pieces: Iterable[tuple[list[str], list]], window: int) -> Iterator[tuple[dict, Any]]:
    """Submit batches keeping at most `window` in flight; yield (result, key) in input order.
    `submit(texts)` returns a function that waits for that batch's results."""
    pending: deque = deque()
    for texts, keys in pieces:
        pending.append((submit(texts), keys))
        if len(pending) >= window:
            wait, keys = pending.popleft()
            yield from zip(wait(), keys)
    while pending:
        wait, keys = pending.popleft()
        yield from zip(wait(), keys)


def pipeline_records(
    items: Iterable[tuple[str, Any]],
    *,
    model_dir: str | None = None,
    config: dict | None = None,
    workers: int | None = None,
    ray: str | None = None,
    batch_size: int = BATCH,
) -> Iterator[tuple[dict, Any]]:
    """(FORMAT.md record of the suggestions, key) for each (text, key), in input order.

    `workers`: processes (default: all cores; 1 runs in this process). `ray`: "auto" or the address of
    a Ray cluster, whose workers run the batches (`workers` actors; default: the cluster's CPUs)."""
    if ray:
        yield from _ray_records(items, model_dir=model_dir, config=config, workers=workers, address=ray,
                                batch_size=batch_size)
        return
    workers = workers or cpu_count()
    pieces = batches(items, batch_size)
    first = next(pieces, None)
    if first is None:
        return
    second = next(pieces, None)
    pieces = itertools.chain([first] + ([second] if second else []), pieces)
    if workers <= 1 or second is None:  # one batch: starting processes would cost more than they save
        from annotator.nlp.pipeline import build_pipeline

        nlp = build_pipeline(model_dir, config)
        for texts, keys in pieces:
            yield from zip(suggestion_records(nlp, texts), keys)
        return
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(model_dir, config))
    try:
        yield from _ordered(lambda texts: pool.apply_async(_run_batch, (texts,)).get, pieces, IN_FLIGHT * workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


class TokenizerPool:
    """The project tokenizer on `workers` processes: `pool(texts)` gives each text's token offsets,
    packed (for core.importer.import_records(tokenize_many=...)). The processes start with the first
    batch of SMALL texts or more (a small import is tokenised here). Use it as a context manager."""

    SMALL = 100

    def __init__(self, workers: int | None = None):
        self.workers = workers or cpu_count()
        self._pool = None

    def __call__(self, texts: list[str]) -> list[bytes]:
        return self.submit(texts)()

    def submit(self, texts: list[str]) -> Callable[[], list[bytes]]:
        """Start tokenising; the function returned waits for the tokens (the caller works meanwhile)."""
        if self._pool is None and (self.workers <= 1 or len(texts) < self.SMALL):
            tokens = _tokenize(texts)
            return lambda: tokens
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(self.workers, initializer=_one_thread_each)
        size = max(1, -(-len(texts) // self.workers))
        chunks = [texts[begin:begin + size] for begin in range(0, len(texts), size)]
        job = self._pool.map_async(_tokenize, chunks)
        return lambda: [tokens for chunk in job.get() for tokens in chunk]

    @property
    def started(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> "TokenizerPool":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


# ---- Ray -------------------------------------------------------------------------------------------
class ClusterUnavailable(OSError):
    """Ray is not installed, or the cluster cannot be reached."""


def _ray():
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable("--ray needs Ray, which is not installed: pip install 'annotator[cluster]'") from None
    return ray


def _ray_records(items, *, model_dir, config, workers, address, batch_size) -> Iterator[tuple[dict, Any]]:
    """pipeline_records on Ray: one actor per worker builds the pipeline once and runs batches."""
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        if address not in ("local", "auto"):
            _check_listening(address)
        try:
            ray.init(address=None if address == "local" else address, ignore_reinit_error=True,
                     log_to_driver=False, include_dashboard=False)
        except ConnectionError as e:
            raise ClusterUnavailable(_join_failure(address, e)) from e
    try:
        workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor = ray.remote(num_cpus=1)(PipelineActor)
        actors = [actor.remote(model_dir, config) for _ in range(workers)]
        turn = iter(range(1 << 62))

        def submit(texts):
            ref = actors[next(turn) % len(actors)].run.remote(texts)
            return lambda: ray.get(ref)

        try:
            yield from _ordered(submit, batches(items, batch_size), IN_FLIGHT * workers)
        finally:
            for a in actors:
                ray.kill(a)
    finally:
        if started_here:
            ray.shutdown()


def _check_listening(address: str, timeout: float = 5.0) -> None:
    """ClusterUnavailable unless something answers at a Ray address (HOST:PORT or ray://HOST:PORT):
    ray.init retries an address where nothing listens for many minutes."""
    where = address.split("://", 1)[-1]
    host, _, port = where.rpartition(":")
    try:
        socket.create_connection((host or where, int(port) if host else 6379), timeout=timeout).close()
    except (OSError, ValueError) as e:
        raise ClusterUnavailable(f"no Ray cluster answers at {address} ({e}): start one there with "
                                 "`ray start --head`, or give --ray auto on a node of the cluster") from None


def _join_failure(address: str, error: ConnectionError) -> str:
    """The message for a Ray cluster that answers but cannot be joined."""
    causes, cause = [], error
    while cause is not None:
        causes.append(f"{type(cause).__name__} {cause}")
        cause = cause.__cause__ or cause.__context__
    message = f"cannot join the Ray cluster at {address}: {error}"
    if any("auth" in c.lower() for c in causes):
        message += (" (the cluster uses token authentication, the default of `ray start --head`: set "
                    "RAY_AUTH_MODE=token here and copy the head node's ~/.ray/auth_token to this machine)")
    return message


class PipelineActor:
    """A Ray actor holding one pipeline (made remote by _ray_records)."""

    def __init__(self, model_dir: str | None, config: dict | None):
        from annotator.nlp.pipeline import build_pipeline

        self.nlp = build_pipeline(model_dir, config)

    def run(self, texts: list[str]) -> list[dict]:
        return suggestion_records(self.nlp, texts)
