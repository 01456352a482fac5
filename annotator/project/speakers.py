"""One speaker, many mentions: "Antonio Guterres" early in an article, "Guterres" after. No Qt.

A shorter name joins a longer one when its words are all words of the longer name (a suffix
such as "Guterres", or any subset such as "Prabowo" of "Prabowo Subianto"):
1. within an article, when exactly one longest such name is there (a speaker or a PERSON
   entity of the same article): that is the article's evidence;
2. then across the corpus, for a name still alone, when exactly one longest such name is known
   anywhere ("Kim" stays alone when both "Kim Jong Un" and "Kim Yo Jong" are known)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable, Mapping

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*", re.UNICODE)


def name_key(name: str) -> tuple[str, ...]:
    """The words of a name, case-folded, punctuation dropped: the identity of a spelling."""
    return tuple(word.casefold() for word in _WORD.findall(name))


def _join(keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """{key: the one longest other key holding all its words} for keys that have exactly one."""
    keys = sorted(set(k for k in keys if k), key=len, reverse=True)
    by_word: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in keys:
        for word in set(key):
            by_word[word].append(key)
    joined = {}
    for key in keys:
        words = set(key)
        holders = [other for other in by_word[key[-1]] if len(other) > len(key) and words <= set(other)]
        if not holders:
            continue
        longest = max(len(other) for other in holders)
        top = {other for other in holders if len(other) == longest}
        if len(top) == 1:
            joined[key] = top.pop()
    return joined


def _resolve(key: tuple[str, ...], joined: Mapping[tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    while key in joined:
        key = joined[key]
    return key


def group_speakers(mentions: Iterable[tuple[str, str]],
                   person_names: Mapping[str, Iterable[str]] | None = None) -> dict[tuple[str, str], str]:
    """{(article_id, mention): the speaker's name} for speaker mentions given as (article_id, text).

    `person_names`: {article_id: PERSON entity texts} that may supply the full name of a speaker
    who is quoted only by a short name. The name shown for a group is `_shown`'s choice."""
    mentions = list(mentions)
    person_names = person_names or {}
    spellings: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    per_article: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for article_id, text in mentions:
        shown = " ".join(text.split())
        key = name_key(shown)
        spellings[key][shown] += 1
        per_article[article_id].add(key)
    for article_id, names in person_names.items():
        for text in names:
            shown = " ".join(text.split())
            key = name_key(shown)
            if key:
                spellings[key][shown] += 0  # a known spelling, not a quote
                per_article[article_id].add(key)
    # 1. within each article
    in_article: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
    for article_id, keys in per_article.items():
        joined = _join(keys)
        for key in keys:
            in_article[(article_id, key)] = _resolve(key, joined)
    # 2. across the corpus, among the names the articles settled on
    settled = set(in_article.values())
    across = _join(settled)
    group_of = {(article_id, text): _resolve(in_article[(article_id, name_key(" ".join(text.split())))], across)
                for article_id, text in mentions}
    members: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for (article_id, key), final in in_article.items():
        members[_resolve(final, across)].update(spellings[key])
    return {mention: _shown(members[group]) or mention[1] for mention, group in group_of.items()}


def _shown(spellings: Counter) -> str:
    """A group's name: its most quoted spelling of two words or more (a full name), else its most quoted."""
    if not spellings:
        return ""
    return max(spellings, key=lambda s: (len(s.split()) > 1, spellings[s], len(s), s))
