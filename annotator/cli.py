"""The `annotator` command. Without a subcommand it opens the annotation window."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from annotator import __version__

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "sample_corpus"
SUBCOMMANDS = ("gui", "import", "export", "stats", "predict", "suggest", "evaluate", "train-ner", "train",
               "merge", "agreement", "config", "backup", "init-server", "copy", "user")


class CliError(Exception):
    """A user-facing error: printed as `annotator: error: …`, exit status 2."""


def _store(args, *, must_exist: bool = True, read_only: bool = False):
    """The database of --db; read commands open it read-only (which also works on read-only media)."""
    from annotator.core.backends import is_server_url
    from annotator.core.store import Store, default_db_path

    path = args.db or default_db_path()
    if must_exist and path != ":memory:" and not is_server_url(path) and not Path(path).exists():
        raise CliError(f"{path}: no such database (create one with `annotator import FILES --db {path}`)")
    config = None
    if getattr(args, "config", None):
        from annotator.core.config import load_config
        config = load_config(args.config)
    tokenizer = None
    if getattr(args, "needs_tokenizer", False):
        from annotator.nlp.tokenizer import packed_token_offsets
        tokenizer = packed_token_offsets
    return Store(path, config=config, tokenizer=tokenizer, read_only=read_only)


# ---- import ---------------------------------------------------------------------------------
def cmd_import(args) -> int:
    from annotator.core.formats.readers import read_paths
    from annotator.core.importer import import_records
    from annotator.core.progress import TerminalProgress

    args.needs_tokenizer = True
    store = _store(args, must_exist=False)
    items = read_paths(args.paths, args.format, text_column=args.text_column, id_column=args.id_column,
                       title_column=args.title_column, doc_boundary=args.doc_boundary)
    from annotator.nlp.parallel import TokenizerPool

    progress = TerminalProgress("importing")
    with TokenizerPool(args.workers) as pool:
        summary = import_records(store, items, layer=args.annotator, as_suggestions=args.as_suggestions,
                                 progress=progress, tokenize_many=pool)
    progress.done()
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    print(summary.line())
    return 1 if summary.stopped or (summary.errors and not summary.imported and not summary.annotated) else 0


def import_sample_corpus(store, *, suggest: bool = True, out=sys.stderr) -> None:
    """Fill a new database with the sample articles (and the model's suggestions)."""
    from annotator.core.formats.readers import read_paths
    from annotator.core.importer import import_records

    files = sorted(SAMPLE_CORPUS.glob("*.txt"))
    summary = import_records(store, read_paths(files, "txt"))
    print(f"sample corpus: {summary.line()}", file=out)
    if suggest:
        from annotator.core.progress import TerminalProgress
        from annotator.nlp.suggest import suggest_articles

        progress = TerminalProgress("suggesting", store.article_count(), stream=out)
        suggest_articles(store, progress=progress)
        progress.done()


# ---- gui ------------------------------------------------------------------------------------
XCB_PACKAGES = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}


def check_display(environ=None, find_library=None) -> None:
    """Refuse clearly, before Qt aborts, when no window can be shown on this Linux machine."""
    import os

    environ = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc", "eglfs", "linuxfb")):
        return
    if platform.startswith("wayland") or (not platform and environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY")):
        return
    if not environ.get("DISPLAY"):
        raise CliError(
            "no display: there is no X or Wayland screen to open the window on.\n"
            "  On a server, install Xvfb and run under it:  sudo apt-get install xvfb && xvfb-run -a make run\n"
            "  Or run without a screen (for scripts):        QT_QPA_PLATFORM=offscreen make run")
    if find_library is None:
        from ctypes.util import find_library
    missing = [package for lib, package in XCB_PACKAGES.items() if not find_library(lib)]
    if missing:
        raise CliError(
            "Qt needs system libraries that are not installed: " + ", ".join(missing) + "\n"
            f"  Install them with:  sudo apt-get install {' '.join(missing)}")


def cmd_gui(args) -> int:
    from annotator.core.store import Store, default_db_path

    from annotator.core.backends import is_server_url

    check_display()
    path = args.db or default_db_path()
    if not is_server_url(path) and not Path(path).exists():
        if args.db and not args.sample:
            raise CliError(f"{path}: no such database (use --sample to create it from the sample corpus)")
        print(f"{path}: creating the database from the sample corpus …", file=sys.stderr)
        from annotator.nlp.tokenizer import token_offsets

        with Store(path, tokenizer=token_offsets) as store:
            import_sample_corpus(store, suggest=not args.no_suggest)
    from annotator.gui.app import run

    return run(path, annotator=args.annotator, article_id=args.article)


# ---- export / stats -------------------------------------------------------------------------
def cmd_export(args) -> int:
    from annotator.project.export import export_layer
    from annotator.core.progress import TerminalProgress

    store = _store(args, read_only=True)
    progress = TerminalProgress("exporting", store.article_count())
    layer = args.annotator
    if not args.gold and not layer:
        names = store.annotators()
        if len(names) != 1:
            raise CliError("say whose annotations to export: --annotator NAME or --gold "
                           f"(annotators: {', '.join(names) or 'none yet'})")
        layer = names[0]
    summary = export_layer(store, args.out, fmt=args.format, layer=layer, gold=args.gold,
                           include_pending=args.include_pending, all_articles=args.all_articles,
                           include_rejected=args.include_rejected, force=args.force, bom=args.bom,
                           split=args.split, quotes_column=args.quotes_column, shard_size=args.shard_size,
                           progress=progress)
    progress.done()
    print(summary.line() if hasattr(summary, "line") else summary)
    return 0


def cmd_stats(args) -> int:
    from annotator.project.statistics import database_figures

    store = _store(args, read_only=True)
    result = database_figures(store)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"database  {result['database']}")
    print(f"articles  {result['articles']}")
    print("\nlayer                 done  in progress")
    for name, row in sorted(result["layers"].items()):
        print(f"{name:<20} {row['done'] or 0:>5} {row['in_progress'] or 0:>12}")
    print("\nentities (layer, label: accepted / suggested / rejected)")
    for name, per_label in sorted(result["entities"].items()):
        for label, counts in sorted(per_label.items()):
            print(f"{name:<20} {label:<8} {counts.get('accepted', 0):>6} / {counts.get('suggested', 0):>6} / "
                  f"{counts.get('rejected', 0):>6}")
    print("\nquotes (layer, status: total, direct/indirect, with/without speaker, with/without stance)")
    for name, per_status in sorted(result["quotes"].items()):
        for status, q in sorted(per_status.items()):
            print(f"{name:<20} {status:<9} {q['quotes']:>5}  {q['direct']}/{q['indirect']}  "
                  f"{q['with_speaker']}/{q['without_speaker']}  {q['with_stance']}/{q['without_stance']}")
    return 0


# ---- pipeline commands ----------------------------------------------------------------------
def cmd_predict(args) -> int:
    from annotator.nlp.pipeline import run_predict

    n = run_predict(args.inputs, args.out, model_dir=args.model, workers=args.workers, ray=args.ray)
    print(f"wrote {n} records to {args.out}", file=sys.stderr)
    return 0


def cmd_suggest(args) -> int:
    from annotator.core.progress import TerminalProgress
    from annotator.project.suggestion_model import suggest_with_project_model

    store = _store(args)
    ids = args.articles or None
    progress = TerminalProgress("suggesting", len(ids) if ids else store.article_count())
    run = suggest_with_project_model(store, ids, model_dir=args.model, progress=progress, workers=args.workers,
                                     ray=args.ray)
    progress.done()
    print(f"suggestions stored for {run.articles} articles (by the {run.model.label()})")
    return 0


def cmd_evaluate(args) -> int:
    from annotator.project.evaluation import run_evaluate, run_evaluate_db
    from annotator.project.export import ExportError

    if args.gold is not None:
        if args.pred_layer is not None:
            raise CliError("--pred-layer compares layers of a database: leave out GOLD.jsonl")
        print(run_evaluate(args.gold, args.pred, model_dir=args.model, as_json=args.json))
        return 0
    if args.pred is not None:
        raise CliError("--pred needs GOLD.jsonl; to compare layers of the database use --pred-layer")
    store = _store(args, read_only=True)
    try:
        print(run_evaluate_db(store, args.gold_layer, args.pred_layer, model_dir=args.model, as_json=args.json,
                              done_only=not args.all))
    except ExportError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    return 0


def _numbers(flag: str, value: str, what: str, count: int | None = None) -> list[int]:
    """A comma-separated list of whole numbers (exactly `count` of them, if given) given with
    `flag`; CliError otherwise."""
    parts = value.split(",")
    if not all(x.strip().isdigit() for x in parts) or count is not None and len(parts) != count:
        raise CliError(f"{flag}: expected {what} separated by commas, found {value!r}")
    return [int(x) for x in parts]


def cmd_train_ner(args) -> int:
    from annotator.nlp.ner_train import train_ner, train_ner_corpora, train_ner_ensemble

    overrides = {}
    if args.width:
        overrides["components.tok2vec.model.encode.width"] = args.width
    if args.rows:
        overrides["components.tok2vec.model.embed.rows"] = _numbers("--rows", args.rows, "four numbers (NORM, PREFIX, SUFFIX, SHAPE)", 4)
    options = dict(max_epochs=args.epochs, max_steps=args.max_steps, seed=args.seed, pos_data=args.pos,
                   pos_sentences=args.pos_sentences or None, overrides=overrides or None)
    try:
        if args.corpora:
            names = None if args.corpora == "all" else [c.strip() for c in args.corpora.split(",") if c.strip()]
            weights = {}
            for item in (args.weights or "").split(","):
                name, _, times = item.partition("=")
                if item.strip():
                    if not times.strip().isdigit():
                        raise CliError(f"--weights: expected NAME=N, found {item!r}")
                    weights[name.strip()] = int(times)
            corpora_options = dict(data_root=args.data, corpora=names, pretrain_text=args.pretrain,
                                   pretrain_epochs=args.pretrain_epochs, weights=weights, **options)
            if args.seeds:
                seeds = _numbers("--seeds", args.seeds, "numbers")
                members = [m for m in (args.members or "").split(",") if m.strip()]
                scores = train_ner_ensemble(args.out, seeds, members, **corpora_options)
            else:
                scores = train_ner_corpora(args.out, **corpora_options)
        elif args.seeds:
            raise CliError("--seeds trains an ensemble from the corpora: it needs --corpora")
        elif args.iob and args.dev:
            scores = train_ner(args.iob, args.dev, args.out, n_sentences=args.sentences, **options)
        else:
            raise CliError("train-ner needs --corpora, or --iob and --dev")
    except ValueError as exc:  # the readers name file:line
        raise CliError(str(exc)) from None
    print(json.dumps(scores, indent=2, default=str))
    return 0


def cmd_train(args) -> int:
    from annotator.nlp.train import TrainingError, train_from_gold

    store = _store(args)
    try:
        train_from_gold(store, args.out, base_model=args.base_model, layer=args.layer, seed=args.seed,
                        max_epochs=args.epochs, extra_iob=args.extra_iob, extra_sentences=args.extra_sentences)
    except TrainingError as exc:
        raise CliError(str(exc)) from None
    print(f"model written to {args.out} (scores in {Path(args.out) / 'model.json'}); "
          f"use it with: annotator suggest --model {args.out}")
    return 0


def cmd_merge(args) -> int:
    from annotator.core.merge import merge_databases

    store = _store(args, must_exist=False)
    for other in args.others:
        summary = merge_databases(store, other)
        print(f"{other}: {summary.line() if hasattr(summary, 'line') else summary}")
    return 0


def cmd_agreement(args) -> int:
    from annotator.core.agreement import agreement_report, format_agreement

    store = _store(args, read_only=True)
    report = agreement_report(store, annotators=args.annotators or None, done_only=not args.include_in_progress)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_agreement(report))
    return 0


def cmd_config(args) -> int:
    store = _store(args)
    if args.set:
        from annotator.core.config import load_config
        store.set_config(load_config(args.set))
        print(f"{store.path}: configuration replaced from {args.set}")
    print(json.dumps(json.loads(store.config.to_json()), indent=2, ensure_ascii=False))
    return 0


# ---- backup ---------------------------------------------------------------------------------
def cmd_backup(args) -> int:
    from annotator.core.progress import TerminalProgress

    store = _store(args)
    progress = TerminalProgress("backing up")
    try:
        dest = store.backup(args.dest, force=args.force, progress=progress)
    finally:
        progress.done()
        store.close()
    size = Path(dest).stat().st_size / 1e6
    print(f"{store.path}: backed up to {dest} ({size:.1f} MB, one file; open it as a database)")
    return 0


# ---- team projects on a PostgreSQL server ----------------------------------------------------
def cmd_init_server(args) -> int:
    from annotator.core.backends import is_server_url
    from annotator.core.store import Store

    if not is_server_url(args.url):
        raise CliError(f"{args.url}: not a server URL (postgresql://user@host:port/PROJECT)")
    from annotator.core.backends import postgres

    created = postgres.create_database(args.url)
    config = None
    if args.config:
        from annotator.core.config import load_config
        config = load_config(args.config)
    with Store(args.url, config=config) as store:
        print(f"{store.label}: {'created' if created else 'already there'}; schema {store.get_meta('schema_version')}, "
              f"{store.article_count()} articles")
    return 0


def cmd_copy(args) -> int:
    from annotator.core.backends import is_server_url
    from annotator.core.store import Store

    if not is_server_url(args.src) and not Path(args.src).exists():
        raise CliError(f"{args.src}: no such database")
    if is_server_url(args.dst):
        from annotator.core.backends import postgres
        postgres.create_database(args.dst)
    elif Path(args.dst).exists():
        raise CliError(f"{args.dst}: already exists; copy into a new file")
    with Store(args.src, read_only=True) as source, Store(args.dst, config=source.config) as target:
        counts = target.copy_from(source)
        print(f"{source.label} -> {target.label}: {counts['articles']} articles, {counts['layers']} layers, "
              f"{counts['entities']} entities, {counts['quotes']} quotes, {counts['edit_log']} edit-log rows")
    return 0


def cmd_user_add(args) -> int:
    password = None
    if args.password:  # asked on the terminal; without one, the first line of standard input
        if sys.stdin.isatty():
            import getpass
            password = getpass.getpass(f"password for {args.name}: ")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError(f"user add {args.name}: --password needs a password (typed on the terminal, or the "
                           "first line of standard input); nothing was changed")
    store = _store(args)
    try:
        created = store.add_user(args.name, args.role, password=password)
    finally:
        store.close()
    print(f"{store.label}: {args.name} {'created as' if created else 'is now'} {args.role}")
    return 0


# ---- parser ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from annotator.nlp.docbin import SHARD_DOCS  # spaCy itself is imported only when a DocBin is written

    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Annotate entities, quotations, speakers and stance in news articles.")
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    db_help = "database file (default: $ANNOTATOR_DB or ./annotator.db)"
    parser.add_argument("--db", help=db_help)
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help=db_help, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", parents=[db], help="open the annotation window (the default command)")
    p.add_argument("--annotator", help="annotator name (default: asked once, then remembered)")
    p.add_argument("--article", help="article id to open")
    p.add_argument("--sample", action="store_true", help="create the database from the sample corpus if missing")
    p.add_argument("--no-suggest", action="store_true", help="with a new sample database: no model suggestions")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("import", parents=[db], help="import articles (.txt folder, JSONL, CoNLL/IOB, CSV)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", default="auto", choices=["auto", "txt", "jsonl", "conll", "csv"])
    p.add_argument("--text-column", help="CSV: column holding the text (default: text)")
    p.add_argument("--id-column", help="CSV: column holding the article id")
    p.add_argument("--title-column", help="CSV: column holding the title")
    p.add_argument("--doc-boundary", choices=["docstart", "blank", "none"],
                   help="CoNLL: what separates documents (default: -DOCSTART- lines)")
    p.add_argument("--annotator", help="layer for imported annotations (default: the record's _annotator_id, else @gold)")
    p.add_argument("--as-suggestions", action="store_true", help="store imported annotations as model suggestions")
    p.add_argument("--config", help="project configuration TOML for a new database (default: resources/config.toml)")
    p.add_argument("--workers", type=int, default=0, metavar="N", help="processes tokenising (default: all cores)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export", parents=[db], help="export annotations (jsonl, spacy, conll, csv, brat)",
        description="Export one layer. For a person (--annotator NAME) and for the gold (--gold): their decisions "
                    "only (accepted annotations) of the articles they marked done, in every format. @model: "
                    "all its suggestions. The JSONL format is described in docs/FORMAT.md. spacy: OUT.spacy (or, "
                    f"with --split, OUT/train.spacy and OUT/dev.spacy) is one DocBin file up to {SHARD_DOCS:,} "
                    f"articles and a folder of DocBin shards of {SHARD_DOCS:,} beyond; give that path to "
                    "`spacy train --paths.train`, which reads both.")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--format", default="jsonl", choices=["jsonl", "spacy", "conll", "csv", "brat"])
    who = p.add_mutually_exclusive_group()
    who.add_argument("--annotator", help="whose layer to export (a name, or @model for the suggestions)")
    who.add_argument("--gold", action="store_true", help="the reviewed gold layer @gold")
    p.add_argument("--include-pending", action="store_true",
                   help="also the suggestions nobody accepted or rejected yet (status: suggested)")
    p.add_argument("--all-articles", action="store_true", help="also the articles not marked done in the layer")
    p.add_argument("--include-rejected", action="store_true", help="keep rejected suggestions (for review)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file or folder")
    p.add_argument("--bom", action="store_true", help="csv: UTF-8 with BOM (for Excel)")
    p.add_argument("--split", type=float, help="spacy: train share, e.g. 0.8 writes OUT/train.spacy and OUT/dev.spacy")
    p.add_argument("--quotes-column", action="store_true", help="conll: add a column of quote tags")
    p.add_argument("--shard-size", type=int, metavar="N",
                   help=f"spacy: articles per DocBin file; more become a folder of shards (default {SHARD_DOCS:,})")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", parents=[db], help="articles, progress, spans per label, quotes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("predict", help="run the pipeline: .txt folder or JSONL in, JSONL out (docs/FORMAT.md)",
                       description="Run the pipeline without a database: .txt files or folders, or JSONL, in; "
                                   "one JSONL record per article out, in the exchange format described in "
                                   "docs/FORMAT.md.")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("out", metavar="OUT.jsonl")
    p.add_argument("--model", help="NER model directory (default: the bundled model)")
    _add_parallel_flags(p)
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("suggest", parents=[db], help="store pipeline suggestions for articles in the database")
    p.add_argument("--model", help="model directory (default: the project's suggestion model, chosen in the window)")
    p.add_argument("--articles", nargs="*", help="article ids (default: all)")
    _add_parallel_flags(p)
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("evaluate", parents=[db],
                       help="score predictions against gold (entities, quotes, speakers, cues, stance)")
    p.add_argument("gold", metavar="GOLD.jsonl", nargs="?",
                   help="gold records; without it, the gold layer of the database (--db)")
    p.add_argument("--pred", metavar="PRED.jsonl", help="predictions (default: run the pipeline on the gold texts)")
    p.add_argument("--model", help="NER model directory when running the pipeline")
    p.add_argument("--gold-layer", default="@gold", help="database layer taken as gold (default: @gold)")
    p.add_argument("--pred-layer", help="database layer to score: @model (stored suggestions) or an annotator")
    p.add_argument("--all", action="store_true", help="every article with the gold layer, not only done ones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("train-ner", help="train the statistical NER model from the NER corpora or from IOB files")
    p.add_argument("--corpora", metavar="all|NAME,...",
                   help="train on these corpora of annotator.nlp.corpora (nergrit, idner, nerui, gsd, mdee), "
                        "harmonised, early-stopping on their dev splits")
    p.add_argument("--data", default=None, help="data root of --corpora (default /work/shared/data)")
    p.add_argument("--iob", help="training IOB file (instead of --corpora)")
    p.add_argument("--dev", help="development IOB file (early stopping; with --iob)")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pretrain", metavar="TAGGED.txt",
                   help="with --corpora: spacy-pretrain the tok2vec first on this word<TAB>tag corpus's sentences "
                        "(e.g. nlp-id's dataset_postag.txt) plus the training sentences")
    p.add_argument("--pretrain-epochs", type=int, default=3)
    p.add_argument("--weights", metavar="NAME=N,...", help="with --corpora: repeat a corpus's training sentences N times")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many updates")
    p.add_argument("--seeds", metavar="N,N,...",
                   help="with --corpora: train one model per seed and join them into one voting model "
                        "(annotator.nlp.ensemble; see README, 'Training the entity model')")
    p.add_argument("--members", metavar="MODEL,...",
                   help="with --seeds: already trained model folders that vote with the new ones")
    p.add_argument("--rows", metavar="N,N,N,N",
                   help="hash-embedding rows of NORM, PREFIX, SUFFIX, SHAPE (default: resources/ner.cfg)")
    p.add_argument("--width", type=int, default=None, help="tok2vec width (default: resources/ner.cfg)")
    p.add_argument("--sentences", type=int, default=None, help="use only the first N training sentences (--iob)")
    p.add_argument("--pos", metavar="TAGGED.txt",
                   help="word<TAB>POS corpus (e.g. nlp-id's dataset_postag.txt) for a tagger trained beside the NER")
    p.add_argument("--pos-sentences", type=int, default=10000, help="POS sentences to use (0: all; default 10000)")
    p.set_defaults(func=cmd_train_ner)

    p = sub.add_parser("train", parents=[db], help="train a pipeline from the gold layer")
    p.add_argument("out", metavar="OUT_DIR")
    p.add_argument("--base-model", help="start from this model (default: the bundled NER model)")
    p.add_argument("--layer", default="@gold", help="layer to train from (default: @gold)")
    p.add_argument("--extra-iob", help="also train NER on sentences of this IOB file (e.g. NERGrit train), or of "
                   "the NER corpora in this folder (../shared/data layout: nergrit/, ner-extra/), harmonised "
                   "to the guidelines as the bundled model was")
    p.add_argument("--extra-sentences", type=int, default=300, help="how many IOB sentences to add")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("merge", parents=[db], help="merge other annotators' databases into this one")
    p.add_argument("others", nargs="+", metavar="OTHER.db")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("agreement", parents=[db], help="inter-annotator agreement on shared articles",
                       description="Agreement on the articles both annotators of a pair marked done "
                                   "(--include-in-progress: also articles they are still working on).")
    p.add_argument("--annotators", nargs="*", help="annotators to compare (default: all)")
    p.add_argument("--include-in-progress", action="store_true",
                   help="also count articles not marked done (with at least one decision)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser("config", parents=[db], help="show (or --set) the project configuration of a database")
    p.add_argument("--set", metavar="CONFIG.toml", help="replace the database's configuration")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("backup", parents=[db],
                       help="copy the database into one file, safely while windows are open (SQLite backup)")
    p.add_argument("dest", metavar="DEST", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("init-server", help="create a project's database and tables on a PostgreSQL server",
                       description="Create the database named in the URL (if missing) and the annotator tables.")
    p.add_argument("url", metavar="URL", help="postgresql://user@host:port/PROJECT (password: PGPASSWORD or ~/.pgpass)")
    p.add_argument("--config", help="project configuration TOML (default: resources/config.toml)")
    p.set_defaults(func=cmd_init_server)

    p = sub.add_parser("copy", help="copy a whole project between SQLite and PostgreSQL (either way)",
                       description="Copy every article, layer, annotation and the edit log, with their ids and "
                                   "times, into a new SQLite file or an empty PostgreSQL database.")
    p.add_argument("src", metavar="SRC", help="database file or postgresql:// URL to copy")
    p.add_argument("dst", metavar="DST", help="new database file or postgresql:// URL")
    p.set_defaults(func=cmd_copy)

    p = sub.add_parser("user", help="people of a server project and their roles (leads only)")
    users = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = users.add_parser("add", parents=[db], help="add a person (or change their role)",
                         description="Create the person's login on the server and give them a role that the "
                                     "server enforces: annotator (writes their own layer), reviewer (also the "
                                     "gold), lead (everything: import, configuration, suggestions, users).")
    p.add_argument("name", metavar="NAME", help="the person's login, also their layer's name")
    p.add_argument("--role", required=True, choices=["annotator", "reviewer", "lead"])
    p.add_argument("--password", action="store_true", help="ask for a password to set")
    p.set_defaults(func=cmd_user_add)
    return parser


def _add_parallel_flags(p) -> None:
    p.add_argument("--workers", type=int, default=0, metavar="N", help="processes running the pipeline (default: all cores)")
    p.add_argument("--ray", metavar="auto|ADDRESS", help="run the pipeline on a Ray cluster: auto (the running one), an address, or local (start one here); pip install 'annotator[cluster]'")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in SUBCOMMANDS or arg in ("-h", "--help", "--version") for arg in argv):
        argv.append("gui")
    args = build_parser().parse_args(argv)
    from annotator.core.config import ConfigError
    from annotator.core.formats.common import FormatError
    from annotator.core.store import StoreError, default_db_path

    from annotator.project.export import ExportError
    from annotator.project.suggestion_model import SuggestionModelError

    errors: tuple = (CliError, StoreError, FormatError, ConfigError, OSError, ExportError, SuggestionModelError)
    try:
        return args.func(args)
    except errors as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:  # a read that SQLite refused (locked, damaged …): say which database
        print(f"annotator: error: {getattr(args, 'db', None) or default_db_path()}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a read that the PostgreSQL server refused: say which server, as the store does
        from annotator.core.backends import is_server_url
        path = getattr(args, "db", None) or default_db_path()
        if not is_server_url(path) or type(exc).__module__.split(".")[0] != "psycopg":
            raise
        from annotator.core.backends import postgres
        print(f"annotator: error: {postgres.translate(exc, path)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("annotator: interrupted; everything stored before this point is kept", file=sys.stderr)
        return 130
