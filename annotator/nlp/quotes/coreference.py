"""Speakers found elsewhere in the text: -nya cues and pronouns, bare titles (``Menteri
tersebut``), plural references and cue-less continuation paragraphs."""

from __future__ import annotations

import bisect

from annotator.nlp.quotes.view import DEMONSTRATIVES, VERB_PREFIXES, _Quote, _Speaker, _View
from annotator.nlp.quotes.speakers import _entity_speaker, _joiner, _unspecified_public, _name_in_segment, _resolve_segments, _scan_backward, _scan_forward, _with_rank
from annotator.nlp.quotes.indirect import _lead_len


SALIENCE_WEIGHT = 2  # sentences of distance one salience level is worth (coreference)


def _title_words(v: _View, spk: _Speaker) -> list[int] | None:
    """The words of a speaker that is only a job title ("Menteri Pertahanan AS"), else None."""
    toks = [k for k in range(spk.start, spk.end) if not v.is_space[k]]
    if not toks or spk.label != "PERSON" or v.cls[toks[0]] != "T" or v.lower[toks[0]] == "para":
        return None
    for k in toks:
        e = v.ent_at.get(k)
        if e is not None and e.label_ == "PERSON" or v.cls[k] == "N" and e is None and not v.placelike(k, spk.start, spk.end):
            return None  # a name: not a bare title
    return toks


def _named_after(v: _View, q: _Quote, title: list[str], head: bool = False) -> bool:
    """Does the title (lower-case words) stand right before q's named speaker? With ``head``,
    the title word may open a longer capitalised title ("Menteri Luar Negeri Korea Utara, X")."""
    s = q.speaker
    if s is None or s.coref or s.label != "PERSON" or _title_words(v, s) is not None:
        return False
    if v.cls[s.start] not in ("N", "T"):
        return False
    # the title right before the name, in the same sentence, a comma allowed between
    before = [k for k in range(max(0, s.start - 24), s.start) if not v.is_space[k] and v.sent_of[k] == v.sent_of[s.start]]
    if before and v.words[before[-1]] == ",":
        before.pop()
    words = [v.lower[k] for k in before if v.kind[k] == "w"]
    if head:
        run = []
        for k in reversed(before[-10:]):
            if v.kind[k] == "q" or v.kind[k] == "w" and not v.core[k][:1].isupper():
                break
            run.append(v.lower[k])
        return title[0] in run
    return len(words) >= len(title) and words[len(words) - len(title):] == title


def _demonstrative_after(v: _View, s: _Speaker) -> tuple[int | None, bool]:
    """The demonstrative that makes a title speaker anaphoric: right after it ("Menteri
    tersebut"), or after a short lower-case description ("Wali Kota Surabaya dua periode ini");
    (its token, whether a description stands between), else (None, False)."""
    k = v.next_tok(s.end - 1)
    between = 0
    while k is not None and between < 3 and v.words[k] not in DEMONSTRATIVES + ("ini",) and (
            v.kind[k] == "n" or (v.kind[k] == "w" and v.core[k].islower() and v.lower[k] not in v.pat.stop_words
                                 and v.lower[k] not in v.pat.reporting_verbs and not v.lower[k].startswith(VERB_PREFIXES))):
        k = v.next_tok(k)
        between += 1
    if k is None or v.words[k] not in (DEMONSTRATIVES + ("ini",) if between else DEMONSTRATIVES):
        return None, False
    return k, between > 0


def _previous_named_speaker(v: _View, earlier: list[_Quote], sent: int) -> _Speaker | None:
    """The named person who speaks last before sentence ``sent`` (within three sentences)."""
    for prev in reversed(earlier):
        ps = prev.speaker
        if ps is None or ps.label != "PERSON" or v.sent_of[ps.start] < sent - 3:
            continue
        if not ps.coref and _title_words(v, ps) is None and v.cls[ps.start] == "N":
            return ps
    return None


def _title_references(v: _View, quotes: list[_Quote]) -> None:
    """A speaker given by a job title only. "Menteri tersebut" (title + itu/tersebut) →
    the closest earlier quote speaker named after that title; "Menteri Pertahanan AS
    mengatakan …" (≥ 2 title words, no name) → that name in a quote within the next three
    sentences ("… kata Menteri Pertahanan AS Lloyd Austin"). An unnamed referent keeps its
    phrase, with the demonstrative ("Pejabat Ukraina itu", "sumber tersebut")."""
    for i, q in enumerate(quotes):
        s = q.speaker
        if s is None or s.coref:
            continue
        toks = _title_words(v, s)
        if toks is None:
            continue
        nxt, described = _demonstrative_after(v, s)
        demo = nxt is not None
        title = [v.lower[k] for k in toks if v.kind[k] == "w"]
        found = None
        if demo:
            for prev in reversed(quotes[:i]):
                if _named_after(v, prev, title[:1], head=True):
                    found = prev.speaker
                    break
            if found is None and described:  # "Menurut Wali Kota Surabaya dua periode ini, …"
                found = _previous_named_speaker(v, quotes[:i], v.sent_of[s.start])
        elif len(title) >= 2:
            here = v.sent_of[s.start]
            for later in quotes[i + 1:]:
                if later.speaker is None or v.sent_of[later.speaker.start] > here + 3:
                    continue
                if v.sent_of[later.speaker.start] > here and _named_after(v, later, title):
                    found = later.speaker
                    break
        if found is not None:
            if demo:  # the closest earlier mention of that person
                text_of = lambda sp: v.text[v.starts[sp.start]:v.char_end(sp.end - 1)]  # noqa: E731
                for prev in quotes[:i]:
                    ps = prev.speaker
                    if ps is not None and ps.start > found.start and ps.end <= s.start and text_of(ps) == text_of(found):
                        found = ps
            q.speaker = _Speaker(found.start, found.end, found.label)
            q.how = "coref"
        elif demo:
            q.speaker = _Speaker(s.start, nxt + 1, s.label)


def _organisation_references(v: _View, quotes: list[_Quote]) -> None:
    """"Perusahaan itu mengonfirmasi …", "Lembaga tersebut menyatakan …": an organisation word
    with a demonstrative is the closest earlier ORG entity of the same or the two sentences
    before ("… perusahaan teknologi asal Taiwan, Pegatron. Perusahaan itu …" → "Pegatron")."""
    for q in quotes:
        s = q.speaker
        if s is None or s.coref:
            continue
        toks = [k for k in range(s.start, s.end) if not v.is_space[k]]
        nxt = v.next_tok(toks[-1]) if toks else None
        if len(toks) != 1 or v.lower[toks[0]] not in v.pat.org_words | v.pat.institutions or nxt is None \
                or v.words[nxt] not in DEMONSTRATIVES:
            continue
        here = v.sent_of[s.start]
        earlier = [e for e in v.ents if e.label_ == "ORG" and e.end <= s.start and here - v.sent_of[e.start] <= 2
                   and not v.in_quote[e.start]]
        if earlier:
            q.speaker = _Speaker(earlier[-1].start, earlier[-1].end, "ORG")
            q.how = "coref"


def _plural_references(v: _View, quotes: list[_Quote], window: int) -> None:
    """"Mereka menyatakan …", "Para menteri mengatakan …": the most recent earlier quote
    speaker that is a group (a state, an organisation, coordinated names) within the window."""
    for i, q in enumerate(quotes):
        s = q.speaker
        if s is None:
            continue
        toks = [k for k in range(s.start, s.end) if not v.is_space[k]]
        plural = (len(toks) == 1 and v.lower[toks[0]] == "mereka") or (
            len(toks) >= 2 and v.lower[toks[0]] == "para" and all(v.cls[k] == "T" for k in toks[1:]))
        if not plural:
            continue
        for prev in reversed(quotes[:i]):
            ps = prev.speaker
            if ps is None or v.starts[ps.start] < v.starts[s.start] - window:
                continue
            group = ps.label in ("ORG", "LOC") or any(v.lower[k] == "dan" for k in range(ps.start, ps.end))
            if group and ps.start != s.start:
                q.speaker = _Speaker(ps.start, ps.end, ps.label)
                q.how = "coref"
                break


def _name_key(v: _View, a: int, b: int) -> frozenset:
    return frozenset(v.lower[k] for k in range(a, b) if v.cls[k] == "N" and len(v.core[k]) >= 2)


def _subject_like(v: _View, a: int, b: int) -> bool:
    """Is the mention a subject (followed by a verb, or after menurut / a cue)?"""
    pat = v.pat
    p = v.prev_tok(a)
    if p is not None and (v.lower[p] in pat.introducers or pat.cue_form(v.lower[p])[0]):
        return True
    n = v.next_tok(b - 1)
    if n is None:
        return False
    if v.words[n] == ",":
        # "Wahyu, warga X, mengatakan"
        k = n
        for _ in range(12):
            k = v.next_tok(k)
            if k is None:
                return False
            if v.words[k] == ",":
                k2 = v.next_tok(k)
                return k2 is not None and v.cls[k2] == "L" and (v.lower[k2] in pat.reporting_verbs or _verbal(v.lower[k2]))
        return False
    lw = v.lower[n]
    return v.cls[n] == "L" and (lw in pat.reporting_verbs or _verbal(lw) or lw in pat.adverbs)


def _verbal(lw: str) -> bool:
    """A word of a verb's shape: not the preposition "di" or the pronoun "dia" the prefixes also
    spell ("dari Relawan Demokrasi di 15 kabupaten")."""
    return lw.startswith(VERB_PREFIXES) and len(lw) > 3


def _attribution_events(v: _View) -> list[_Speaker]:
    """Speakers of reported speech that is not a quote on its own ("Abdian, Koordinator …,
    juga menyampaikan harapan serupa", "Hal senada disampaikan X", "Menurut X, …")."""
    pat = v.pat
    out: list[_Speaker] = []
    for k in range(v.n):
        lw = v.lower[k]
        if v.kind[k] != "w" or v.in_quote[k]:
            continue
        lo = v.sentences[v.sent_of[k]][0]
        if lw in pat.reporting_verbs and v.words[k].islower() and k > lo:
            p = v.prev_tok(k)
            if p is not None and (v.lower[p] in pat.negators or v.lower[p] == "yang"):
                continue  # "…, Raja Pakubuwono V, yang menceritakan …" describes, does not report
            if _unspecified_public(v, k, lo):
                continue  # "sebagian umat Muslim menilai …": no identifiable source
            spk = _resolve_segments(v, _scan_backward(v, k, lo), backward=True)
        elif lw in pat.passive_reporting or lw in pat.introducers and not lw.endswith("nya"):
            j = v.next_tok(k)
            if j is not None and v.lower[j] == "oleh":
                j = v.next_tok(j)
            segs = _scan_forward(v, j, max_segments=2) if j is not None else []
            spk = _resolve_segments(v, segs) if segs and v.lower[segs[0][0]] not in pat.menurut_non_speakers else None
        else:
            continue
        if spk is not None and not spk.coref and spk.label == "PERSON" and not (
                _title_words(v, spk) is not None and _demonstrative_after(v, spk)[0] is not None):
            out.append(spk)  # "Menteri tersebut" refers back: it names no new person
    return out


def _sentence_subjects(v: _View) -> list[tuple[int, int]]:
    """Capitalised names opening a sentence and followed by a verb ("Satori menolak …")."""
    out = []
    for s, e in v.sentences:
        toks = [k for k in range(s, e) if not v.is_space[k]]
        i = _lead_len(v, toks)
        j = i
        while j < len(toks) and j - i < 3 and v.cls[toks[j]] == "N":
            j += 1
        if j == i or j >= len(toks):
            continue
        a, b = toks[i], toks[j - 1] + 1
        if not all(v.proper(t) and not v.common(t) and not v.core[t].isupper() for t in range(a, b)):
            continue
        if all(v.placelike(t, a, b) for t in range(a, b)) or any(_group_word(v, t) for t in range(a, b)):
            continue
        if _subject_like(v, a, b):
            out.append((a, b))
    return out


GROUP_QUANTIFIERS = ("semua", "seluruh", "para", "setiap", "tiap", "sejumlah", "puluhan", "ratusan", "ribuan")


def _group_word(v: _View, k: int) -> bool:
    """Is the capitalised word of token ``k`` written after a quantifier somewhere ("semua
    Tagana", "para Bhabinkamtibmas"): a group or organisation, not a person's name?"""
    for j in v.cap_index.get(v.core[k], ()):
        p = v.prev_tok(j)
        if p is not None and v.lower[p] in GROUP_QUANTIFIERS:
            return True
    return False


def _mentions(v: _View, quotes: list[_Quote]) -> list[tuple[int, int, frozenset, int]]:
    """Candidate antecedents (start, end, name key, salience) in text order, outside direct
    quotes. Salience 2: a speaker (of a quote or of reported speech); 1: a subject; 0: other."""
    found: dict[tuple[int, int], tuple[frozenset, int]] = {}
    keys: list[frozenset] = []

    def add(a: int, b: int, level: int, key: frozenset | None = None, name: bool = True) -> None:
        key = key or _name_key(v, a, b)
        if not key or v.lower[a] in v.pat.plural_pronouns:
            return
        old = found.get((a, b))
        found[(a, b)] = (key, max(level, old[1] if old else 0))
        if name and v.cls[a] == "N":  # its words find the person's other mentions
            keys.append(frozenset(v.lower[k] for k in range(a, b)
                                  if v.cls[k] == "N" and len(v.core[k]) >= 3 and not v.core[k].isupper() and not v.common(k)))

    for e in v.ents:  # entities are candidates, but their words do not seed other mentions
        if e.label_ == "PERSON":
            sp = _entity_speaker(v, e)
            words = [k for k in range(sp.start, sp.end) if v.kind[k] == "w"]
            if words and all(v.common(k) for k in words):
                continue  # "Audit", "Lebaran": a capitalised common word the model took for a name
            add(sp.start, sp.end, int(_subject_like(v, sp.start, sp.end)), name=False)
    for q in quotes:
        s = q.speaker
        if s is not None and not s.coref:
            key = _name_key(v, s.start, s.end) or frozenset(v.lower[k] for k in range(s.start, s.end) if not v.is_space[k])
            add(s.start, s.end, 2 if s.label == "PERSON" else 1, key, name=s.label == "PERSON")
    for s in _attribution_events(v):
        key = _name_key(v, s.start, s.end) or frozenset(v.lower[k] for k in range(s.start, s.end) if not v.is_space[k])
        add(s.start, s.end, 2, key, name=s.label == "PERSON" and v.cls[s.start] == "N")
    for a, b in _sentence_subjects(v):
        add(a, b, 1)
    # title + name anywhere ("Kepala Pusdalops BNPB Bambang Surya Putra menambahkan")
    i = 0
    while i < v.n:
        if v.cls[i] == "T" and v.kind[i] == "w" and v.core[i][0].isupper() and not v.in_quote[i]:
            segs = _scan_forward(v, i, max_segments=1, max_tokens=12)
            if segs:
                name = _name_in_segment(v, segs[0])
                if name is not None:
                    add(name[0], name[1], int(_subject_like(v, *name)))
                i = segs[0][-1] + 1
                continue
        i += 1
    # every other use of a known name word ("Kusnawan berharap")
    words = set().union(*keys) if keys else set()
    lowered = {}
    for c in v.cap_index:
        lowered.setdefault(c.lower(), []).append(c)
    taken = sorted(found)
    for w in words:
        for c in lowered.get(w, ()):
            for k in v.cap_index[c]:
                a, b = k, k + 1
                while b < v.n and v.cls[b] == "N" and v.lower[b] in words:
                    b += 1
                while a > 0 and v.cls[a - 1] == "N" and v.lower[a - 1] in words:
                    a -= 1
                t = bisect.bisect_right(taken, (a, v.n)) - 1
                if (t >= 0 and taken[t][0] <= a < taken[t][1]) or v.in_quote[a]:
                    continue
                if all(v.placelike(x, a, b) for x in range(a, b)):
                    continue
                add(a, b, int(_subject_like(v, a, b)), name=False)
    out = [(a, b, key, lvl) for (a, b), (key, lvl) in found.items() if not v.in_quote[a]]
    out.sort()
    return _outermost_names(v, out)


def _outermost_names(v: _View, mentions: list[tuple[int, int, frozenset, int]]) -> list[tuple[int, int, frozenset, int]]:
    """One mention per written name: a mention inside a longer mention made only of name words
    ("Ardiani" in "Natasha Ardiani", a speaker cut to "Yunus Miko Wahyono" in the PERSON
    entity "Tri Yunus Miko Wahyono") is dropped, its salience going to the longer one."""
    def all_name(a: int, b: int) -> bool:
        return all(v.cls[k] == "N" or v.is_space[k] or _joiner(v, k) for k in range(a, b)) and not v.placelike(a, a, b)

    out: list[tuple[int, int, frozenset, int]] = []
    for m in sorted(mentions, key=lambda m: (m[0], -m[1])):
        outer = out[-1] if out else None
        if outer is not None and outer[0] <= m[0] and m[1] <= outer[1] and all_name(outer[0], outer[1]):
            if m[3] > outer[3]:
                out[-1] = (outer[0], outer[1], outer[2] | m[2], m[3])
            continue
        out.append(m)
    return out


def _resolve_coreference(v: _View, quotes: list[_Quote], window: int) -> None:
    """-nya cues and pronouns: the most salient recent person; point at its closest earlier mention."""
    if not any(q.needs_coref for q in quotes):
        return
    mentions = _mentions(v, quotes)
    starts = [m[0] for m in mentions]
    for q in quotes:
        if not q.needs_coref:
            continue
        anchor_tok = q.open_tok
        anchor = v.starts[anchor_tok]
        hi = bisect.bisect_left(starts, anchor_tok)
        cands = [m for m in mentions[:hi] if m[1] <= anchor_tok and v.starts[m[0]] >= anchor - window]
        if not any(m[3] >= 1 for m in cands):
            # no speaker or subject within the window: a speaker up to twice as far back, after
            # a long paragraph of paraphrase ("Mimin … mengatakan, …[900 characters]… ” katanya")
            cands = sorted(set(cands) | {m for m in mentions[:hi] if m[3] == 2 and m[1] <= anchor_tok
                                         and v.starts[m[0]] >= anchor - 2 * window})
        if not cands:
            continue
        here = v.sent_of[anchor_tok]
        # salience against distance: a speaker two sentences back beats a subject one back; at a
        # tie a person beats an organisation or place ("Namun, lanjut Teguh, …, Ombudsman RI
        # menilai …. ” … ,” jelasnya": -nya and dia/ia are said of people)
        # an unnamed speaker written in lower case ("petugas meminta dia …") counts one level less:
        # -nya after it is mostly the named person the paragraph is about
        chosen = max(reversed(cands), key=lambda m: (SALIENCE_WEIGHT * (m[3] - (v.words[m[0]][:1].islower() and m[3] > 0))
                                                     - (here - v.sent_of[m[0]]),
                                                     _mention_label(v, m, quotes) == "PERSON"))
        previous = _previous_subject(v, q, cands)
        if previous is not None:
            chosen = previous
        same = [m for m in cands if m[2] & chosen[2]] if chosen[2] else [chosen]
        # the closest earlier mention of that person, short or full (guidelines 4.2)
        nearest = same[-1]
        label = _mention_label(v, nearest, quotes, chosen)
        q.speaker = _Speaker(_with_rank(v, nearest[0]) if label == "PERSON" else nearest[0], nearest[1], label)
        q.how = "coref"


def _mention_label(v: _View, m: tuple, quotes: list[_Quote], named_by: tuple | None = None) -> str:
    """The label of mention ``m``: its entity's, else that of a quote speaker starting where
    ``named_by`` (default ``m``) starts, else PERSON."""
    e = v.ent_at.get(m[0])
    if e is not None:
        return e.label_ if e.start == m[0] else "PERSON"
    start = (named_by or m)[0]
    label = "PERSON"
    for qq in quotes:
        if qq.speaker is not None and qq.speaker.start == start and not qq.speaker.coref:
            label = qq.speaker.label
    return label


def _previous_subject(v: _View, q: _Quote, cands: list[tuple[int, int, frozenset, int]]) -> tuple[int, int, frozenset, int] | None:
    """For a pronoun opening its sentence ("Ia sempat menyampaikan, …"), the person in subject
    position (or speaking) in the sentence just before: the pronoun continues that sentence's
    topic ("Direktur X Anoki Kiyoshi juga turut ambil bagian. Ia …"). None otherwise."""
    s = q.speaker
    if s is None or not s.coref or v.cls[s.start] != "R":
        return None
    sent = v.sent_of[s.start]
    toks = [k for k in range(*v.sentences[sent]) if not v.is_space[k]]
    lead = _lead_len(v, toks)
    if lead >= len(toks) or toks[lead] != s.start:
        return None
    before = [m for m in cands if v.sent_of[m[0]] == sent - 1 and m[3] >= 1]
    # a full name, or one used after a cue elsewhere ("kata Anoki"): not a capitalised common word
    if before and (len(before[0][2]) >= 2 or v.name_evidence(before[0][0], before[0][0], before[0][1], strong=True)):
        return before[0]
    return None


def _continuations(v: _View, quotes: list[_Quote]) -> None:
    """A cue-less direct quote right after another quote (nothing but the other quote's
    attribution in between) continues that quote's speaker."""
    prev: _Quote | None = None
    for q in quotes:
        if q.kind != "direct":
            continue
        if q.cue is None and q.speaker is None and prev is not None and prev.speaker is not None:
            gap_start = max(prev.close_tok, prev.cue[1] if prev.cue else 0, prev.speaker.end if prev.speaker.start > prev.open_tok else 0)
            gap = [k for k in range(gap_start, q.open_tok) if not v.is_space[k] and v.kind[k] != "p"]
            if len(gap) <= 4 and all(v.cls[k] in ("D", "O", "L", "N") for k in gap):
                q.speaker = _Speaker(prev.speaker.start, prev.speaker.end, prev.speaker.label)
                q.how = "continuation"
        prev = q
