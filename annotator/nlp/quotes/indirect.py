"""Indirect quotes: ``Menurut X, …``, ``…, kata X.``, ``X mengatakan (bahwa) …``."""

from __future__ import annotations

import re

from annotator.nlp.quotes.marks import _is_apostrophe
from annotator.nlp.quotes.view import DEMONSTRATIVES, PLACE_PREPOSITIONS, _Quote, _Speaker, _View
from annotator.nlp.quotes.speakers import _descriptor_speaker, _resolve_segments, _scan_backward, _scan_forward, _unspecified_public


def _indirect_quotes(v: _View) -> list[_Quote]:
    out: list[_Quote] = []
    for s, e in v.sentences:
        toks = [k for k in range(s, e) if not v.is_space[k]]
        if sum(v.covered[k] for k in toks) > 6 or len(toks) < 5 or not _only_scare_quotes(v, toks):
            continue
        q = _menurut(v, toks) or _cue_clause(v, toks)
        out.extend([q] if q is not None else _reporting_clauses(v, toks))
    return out


def _only_scare_quotes(v: _View, toks: list[int]) -> bool:
    """No quotation marks in the sentence but pairs around a few words ("mengutuk keras") or
    around a title after a naming word ("ringkasan kebijakan berjudul ”…”")."""
    marks = [i for i, k in enumerate(toks) if v.kind[k] == "q" and not _is_apostrophe(v.text, v.starts[k])]
    if len(marks) % 2:
        return False
    return all(marks[n + 1] - marks[n] - 1 <= 4 or (marks[n] > 0 and v.lower[toks[marks[n] - 1]] in v.pat.naming_words)
               for n in range(0, len(marks), 2))


def _sentence_content(v: _View, toks: list[int], a: int, b: int) -> tuple[int, int] | None:
    """Char span of tokens toks[a:b] without final punctuation and commas at the edges."""
    sub = toks[a:b]
    while sub and v.kind[sub[-1]] in ("p", "q") and v.words[sub[-1]] not in (")", "]"):
        sub = sub[:-1]
    while sub and v.kind[sub[0]] in ("p", "q") and v.words[sub[0]] not in ("(", "["):
        sub = sub[1:]
    if len([k for k in sub if v.kind[k] in ("w", "n")]) < 3:
        return None
    return v.starts[sub[0]], v.char_end(sub[-1]) if v.kind[sub[-1]] in ("w", "n") else v.starts[sub[-1]] + len(v.words[sub[-1]])


def _lead_len(v: _View, toks: list[int]) -> int:
    """Number of leading connector tokens ("Sementara itu ,", "Saat ini ,")."""
    i = 0
    while i < len(toks) and (v.cls[toks[i]] in ("C",) or v.lower[toks[i]] in v.pat.connectors or v.words[toks[i]] == ","):
        i += 1
    return i


def _make_indirect(v: _View, toks: list[int], span: tuple[int, int] | None, cue: int | None, spk: _Speaker | None,
                   coref: bool, cue_end: int | None = None) -> _Quote | None:
    if span is None:
        return None
    q = _Quote(start=span[0], end=span[1], kind="indirect", open_tok=toks[0], close_tok=toks[-1] + 1,
               cue=None if cue is None else (cue, (cue_end if cue_end is not None else cue) + 1), speaker=spk, how="cue")
    q.needs_coref = coref or (spk is not None and spk.coref)
    return q


def _opening_source(v: _View, toks: list[int], i: int) -> int | None:
    """For an attribution opening the sentence at toks[i] ("Bagi X, …", "Berdasarkan keterangan
    X, …"), the token after which the source X starts; else None."""
    pat = v.pat
    lw = v.lower[toks[i]]
    if i + 2 >= len(toks) or i != _lead_len(v, toks):
        return None
    if lw in pat.source_nouns and v.core[toks[i]][0].isupper() and _named_source(v, toks[i + 1]):
        return toks[i]  # "Data Polda X, …": the document noun opens the sentence
    if lw in pat.passive_reporting and v.core[toks[i]][0].isupper() and v.lower[toks[i + 1]] == "oleh":
        return toks[i + 1]  # "Dijelaskan oleh Andri, …": an agent passive (GUIDELINES section 8)
    if lw not in pat.opening_introducers and lw not in pat.source_introducers:
        return None
    if lw in pat.opening_introducers:
        return toks[i]
    if lw in pat.source_introducers and v.lower[toks[i + 1]] in pat.source_nouns and (
            lw not in NAMED_SOURCE_INTRODUCERS or _named_source(v, toks[i + 2])):
        return toks[i + 1]
    return None


NAMED_SOURCE_INTRODUCERS = ("dari",)  # "Dari data Satgas X, …" but not "Dari data tersebut, …"


def _named_source(v: _View, k: int) -> bool:
    """Does token k start a named source: an organisation or place entity, or a capitalised
    organisation word or acronym ("KPU", "Satuan Tugas …")?"""
    e = v.ent_at.get(k)
    return (e is not None and e.start == k and e.label_ in ("ORG", "LOC")) or (v.cls[k] == "O" and v.kind[k] == "w")


def _opening_source_phrase(v: _View, toks: list[int], a: int, max_words: int = 8) -> list[list[int]]:
    """The source of an opening attribution: the words from toks[a] to the next comma, without
    a bracketed alias ("Badan Koordinasi Penanaman Modal (BKPM)"), as one segment; [] when no
    comma closes it soon or a relative clause stands there ("data yang dihimpun tim")."""
    seg: list[int] = []
    for t in toks[a:a + max_words + 3]:
        if v.words[t] == ",":
            return [seg] if seg else []
        if v.words[t] == "(" and seg:
            while t != toks[-1] and v.words[t] != ",":
                t = toks[toks.index(t) + 1]
            return [seg] if v.words[t] == "," else []
        if v.words[t] == "-" and seg:  # "Covid-19"
            continue
        if v.kind[t] == "q" and seg and _is_apostrophe(v.text, v.starts[t]):  # "Ma’arif"
            seg.append(t)
            continue
        if v.kind[t] not in ("w", "n") or v.lower[t] == "yang" or len(seg) >= max_words:
            return []
        seg.append(t)
    return []


def _opening_quote(v: _View, toks: list[int], cue: int | None, source_end: int, spk: _Speaker) -> _Quote | None:
    """The quote of an opening attribution whose source ends at token ``source_end``: the rest of
    the sentence after the comma."""
    pos = toks.index(source_end) + 1
    while pos < len(toks) and v.words[toks[pos]] != ",":
        pos += 1
    return _make_indirect(v, toks, _sentence_content(v, toks, pos + 1, len(toks)), cue, spk, False)


def _menurut(v: _View, toks: list[int]) -> _Quote | None:
    """``Menurut X, …`` / ``…, menurut X.`` / ``Menurutnya, …``, and the openings ``Bagi X, …`` and
    ``Berdasarkan keterangan X, …`` (the source followed by a comma)."""
    pat = v.pat
    for i, k in enumerate(toks):
        source = k if v.lower[k] in pat.introducers else _opening_source(v, toks, i)
        if source is None:
            continue
        nya = v.lower[k].endswith("nya")
        document = source == k and i == _lead_len(v, toks) and i + 2 < len(toks) and (
            v.lower[toks[i + 1]] in pat.source_nouns and _named_source(v, toks[i + 2]))
        if document:
            source = toks[i + 1]  # "Menurut data Satgas X, …": like "Berdasarkan data X, …"
        if v.lower[k] not in pat.introducers or document:
            segs = _opening_source_phrase(v, toks, toks.index(source) + 1)
            if not segs or ((v.lower[k] in pat.opening_introducers or v.lower[k] in pat.passive_reporting)
                            and v.cls[segs[0][0]] not in ("N", "R", "O") and not (
                    v.cls[segs[0][0]] == "T" and any(v.cls[t] == "N" for t in segs[0]))):
                return None  # "Bagi warga, …" / "Berdasarkan data yang dihimpun, …": no source named
                # ("Bagi Hakim Agung Syamsul Ma'arif, …": a title with the name is one)
            opening_noun = v.lower[k] in pat.source_nouns  # "Data Polda X, …" has no cue word
            if opening_noun and not all(v.cls[t] in ("N", "O", "T") or v.ent_at.get(t) is not None for t in segs[0]):
                return None  # "Data BPS menunjukkan, …": a verb follows, the clause has a subject
            cue = None if opening_noun else k
            head = v.ent_at.get(segs[0][0])
            if head is not None and head.label_ in ("ORG", "LOC") and head.start == segs[0][0]:
                return _opening_quote(v, toks, cue, segs[0][-1], _Speaker(head.start, head.end, head.label_))
            if v.cls[segs[0][0]] == "O":  # "Berdasarkan data Badan Koordinasi Penanaman Modal, …"
                return _opening_quote(v, toks, cue, segs[0][-1], _Speaker(segs[0][0], segs[0][-1] + 1, "ORG"))
        else:
            segs = [] if nya else _scan_forward(v, source + 1, max_segments=2) or _lower_phrase(v, source + 1)
        if not nya and (not segs or v.lower[segs[0][0]] in pat.menurut_non_speakers):
            return None
        spk = None if nya else _resolve_segments(v, segs[:1])
        # where does the speaker phrase end?
        end_tok = k if nya else segs[0][-1]
        pos = toks.index(end_tok) + 1
        if not nya and len(segs) > 1 and v.cls[segs[1][0]] == "T":
            pos = toks.index(segs[1][-1]) + 1  # skip an appositive title
        if i <= _lead_len(v, toks):
            for off in range(pos, min(len(toks), pos + 5)):
                if v.words[toks[off]] == ",":  # "Menurut sumber tersebut, …"
                    pos = off + 1
                    break
            span = _sentence_content(v, toks, pos, len(toks))
        elif i > 0 and v.words[toks[i - 1]] == "," and pos >= len(toks) - 1:
            span = _sentence_content(v, toks, 0, i - 1)
        else:
            span = _sentence_content(v, toks, 0, len(toks))
        return _make_indirect(v, toks, span, k, spk, nya)
    return None


def _lower_phrase(v: _View, i: int, max_words: int = 6) -> list[list[int]]:
    """A lower-case source after "menurut" ("menurut laporan intelijen AS"), as one segment."""
    seg: list[int] = []
    j = i
    while j < v.n and len(seg) < max_words:
        if v.is_space[j]:
            if "\n" in v.words[j]:
                break
            j += 1
            continue
        if v.kind[j] not in ("w", "n") or v.lower[j] in v.pat.stop_words or v.cls[j] in ("D", "R"):
            break
        seg.append(j)
        j += 1
    return [seg] if seg else []


def _cue_clause(v: _View, toks: list[int]) -> _Quote | None:
    """``…, kata X.`` / ``…, katanya.`` / ``A, tutur X, B.`` without quotation marks."""
    pat = v.pat
    for i in range(2, len(toks)):
        k = toks[i]
        if v.words[toks[i - 1]] != "," or v.kind[k] != "w" or v.core[k][0].isupper():
            continue
        is_cue, nya = pat.cue_form(v.lower[k])
        if not is_cue:
            # "Transformasi digital, diyakini Eka, akan …": a passive reporting verb with its agent
            nxt = v.next_tok(k)
            if v.lower[k] not in pat.passive_reporting or nxt is None or v.cls[nxt] not in ("N", "T"):
                continue
        if nya:
            spk = None
            end = i + 1
        else:
            # "…, kata ahli epidemiologi Universitas X, Windhu Purnomo, …": the name may follow the role
            segs = _scan_forward(v, k + 1, max_segments=2)
            if not segs:
                continue
            spk = _resolve_segments(v, segs)
            if spk is None:
                continue
            used = segs[1] if len(segs) > 1 and spk.start >= segs[1][0] else segs[0]
            end = toks.index(used[-1]) + 1
        if _clause_goes_on(v, toks, end):  # "A, kata X (kepada wartawan, Senin), B."
            # "Oleh karena itu, kata X, B": the connective before the attribution stays outside
            # (a time adverb is content: "Kini, katanya, B")
            lead = toks[:i - 1]
            outside = i - 1 <= _lead_len(v, toks) and not any(v.lower[t] in TIME_ADVERBS for t in lead)
            start = _after_attribution(v, toks, end) if outside else 0
            span = _sentence_content(v, toks, start, len(toks))
        else:
            span = _sentence_content(v, toks, 0, i - 1)
        return _make_indirect(v, toks, span, k, spk, nya)
    return None


TIME_ADVERBS = ("kini", "sekarang", "saat", "ini", "hingga", "sejak", "sampai", "kemudian", "lalu", "sebelumnya")


def _clause_goes_on(v: _View, toks: list[int], end: int) -> bool:
    """Does the reported clause go on after an attribution ending at toks[end] ("…, kata X, B"),
    past adverbials of the act of saying ("kepada wartawan", "Senin (12/1/2021)", "di Jakarta")?"""
    rest = toks[_after_attribution(v, toks, end):]
    return len([t for t in rest if v.kind[t] in ("w", "n")]) >= 2


def _after_attribution(v: _View, toks: list[int], end: int) -> int:
    """Index (in toks) where the clause resumes after an attribution ending at toks[end]: past
    the comma-separated adverbials of the act of saying (dates, places after a preposition,
    "kepada wartawan") and the comma after them."""
    pos = end
    while pos < len(toks):
        if v.words[toks[pos]] in (",", ")"):
            pos += 1
            continue
        group = []
        k = pos
        while k < len(toks) and v.words[toks[k]] != ",":
            group.append(toks[k])
            k += 1
        words = [t for t in group if v.kind[t] in ("w", "n")]
        first = words[0] if words else None
        adverbial = first is not None and (v.cls[first] == "D" or v.lower[first] in v.pat.stop_words) and all(
            v.cls[t] in ("D", "N", "O", "T") or v.kind[t] == "n" or v.lower[t] in v.pat.stop_words
            or v.lower[t] in PLACE_PREPOSITIONS for t in words)
        if not adverbial:
            return pos
        pos = k
    return pos


def _descriptor_subject(v: _View, toks: list[int], i: int) -> _Speaker | None:
    """A long institutional subject opening the sentence ("Para menteri luar negeri negara-
    negara X dan tiga sekutu utamanya mengatakan …"): the first state/organisation in it,
    when no comma or other reporting verb stands between it and the verb toks[i]."""
    a = _lead_len(v, toks)
    if a >= i or i - a > 16 or any(v.words[t] == "," or v.lower[t] in v.pat.reporting_verbs for t in toks[a:i]):
        return None
    return _descriptor_speaker(v, _Speaker(toks[a], toks[i], "ORG"))


#: lower-case words for a kind of state body and the first words of the names they refer back to
#: ("Namun, polisi tetap mengimbau agar …" -> the police force named before; GUIDELINES section 8)
_POLICE = ("polri", "polda", "polres", "polresta", "polrestabes", "polsek", "kepolisian")
_GOVERNMENTS = ("pemerintah", "pemprov", "pemkot", "pemkab", "pemda")
GENERIC_BODIES = {"polisi": _POLICE, "kepolisian": _POLICE, "pemerintah": _GOVERNMENTS, "pemda": _GOVERNMENTS}


def _generic_body_subject(v: _View, toks: list[int], i: int, sentences_back: int = 5) -> _Speaker | None:
    """A lower-case word for a kind of state body as the subject of reporting verb toks[i] ("Namun,
    polisi tetap mengimbau …"): the closest earlier ORG of that kind ("Kepolisian Daerah Metro
    Jaya"), within a few sentences; None when there is none."""
    j = i - 1
    while j >= 0 and v.cls[toks[j]] in ("L", "C") and v.lower[toks[j]] in v.pat.adverbs:
        j -= 1
    if j < 0 or v.lower[toks[j]] not in GENERIC_BODIES or not v.words[toks[j]].islower():
        return None
    if j > 0 and not (v.words[toks[j - 1]] == "," or v.cls[toks[j - 1]] == "C" or j == _lead_len(v, toks)):
        return None  # "anggota polisi mengatakan": the word is no subject on its own
    heads = GENERIC_BODIES[v.lower[toks[j]]]
    here = v.sent_of[toks[j]]
    earlier = [e for e in v.ents if e.label_ == "ORG" and e.end <= toks[j] and here - v.sent_of[e.start] <= sentences_back
               and not v.in_quote[e.start] and e[0].lower_ in heads]
    return _Speaker(earlier[-1].start, earlier[-1].end, "ORG") if earlier else None


COMPLEMENTIZERS = ("bahwa", "agar", "supaya", "apakah")
REFUSALS = ("menolak", "enggan")
COORDINATORS = ("dan", "serta")


def _reporting_clauses(v: _View, toks: list[int]) -> list[_Quote]:
    """``X mengatakan(,) (bahwa) …``; ``X mengatakan … , dan menyatakan bahwa …`` gives two
    quotes with the same speaker."""
    pat = v.pat
    for i, k in enumerate(toks):
        if v.lower[k] not in pat.reporting_verbs or i == 0 or not v.words[k].islower():
            continue
        p = toks[i - 1]
        if v.lower[p] in pat.negators:
            return []
        if i >= 2 and v.lower[p] == "hanya" and v.lower[toks[i - 2]] in pat.negators:
            continue  # "Tak hanya percaya pada X, Budi juga yakin …": "not only", look further
        if v.lower[p] in NOMINALISERS:
            continue  # "upaya pemerintah dalam mendorong …": an action named, not speech reported
        if _unspecified_public(v, k, toks[0]):
            continue  # "Sebagian warga menilai …": no identifiable source
        # "X menolak untuk mengkonfirmasi atau menyangkal apakah …": the refusal is the cue
        first, last = i, i
        if i >= 2 and v.lower[p] == "untuk" and v.lower[toks[i - 2]] in REFUSALS:
            first = i - 2
            if i + 2 < len(toks) and v.lower[toks[i + 1]] == "atau" and v.lower[toks[i + 2]] in pat.reporting_verbs:
                last = i + 2
        # a verb in scare quotes ('X "mengutuk keras" Y dan mendesak agar …') is not itself
        # speech, but its subject is the speaker of the coordinated verb
        scare = v.kind[p] == "q"
        segs = _before_a_named_work(v, _scan_backward(v, p if scare else toks[first], toks[0]), toks[0])
        spk = _resolve_segments(v, segs, backward=True) if segs else None
        if spk is None:
            spk = _descriptor_subject(v, toks, i)
        if spk is None or (spk.end - spk.start == 1 and v.lower[spk.start] in GENERIC_BODIES and v.words[spk.start].islower()):
            spk = _generic_body_subject(v, toks, first) or spk
        if spk is None or _common_noun_subject(v, spk, toks):
            continue
        out = []
        while i is not None:
            pos = _content_start(v, toks, last)
            if pos is None:  # an object, not a clause: a later coordinated verb may still report
                nxt, end = _coordinated_verb(v, toks, last + 1)
                i = first = last = nxt
                continue
            nxt, end = _coordinated_verb(v, toks, pos)
            q = None if scare else _make_indirect(v, toks, _sentence_content(v, toks, pos, end), toks[first], spk,
                                                  False, cue_end=toks[last])
            if q is not None:
                out.append(q)
            i = first = last = nxt
            scare = False
        return out
    return []


def _before_a_named_work(v: _View, segs: list[list[int]], lo: int) -> list[list[int]]:
    """The subject phrase before the title of a work ("Riset terbaru X bertajuk Judul Laporan
    menyebutkan, …": the segments of "Riset terbaru X", whose author X is the speaker); else segs."""
    p = v.prev_tok(segs[0][0]) if segs else None
    if p is not None and p > lo and v.lower[p] in v.pat.naming_words:
        return _scan_backward(v, p, lo) or segs
    return segs


OBJECT_PREPOSITIONS = ("pada", "akan", "terhadap", "atas")  # "percaya pada X", "yakin akan X": an object
ADDRESSEE_PREPOSITIONS = ("kepada", "di", "dalam", "saat", "ketika", "seusai", "usai", "melalui", "lewat", "dengan")


NOMINALISERS = ("dalam",)  # "dalam mendorong": the verb names an action, it reports nothing


def _common_noun_subject(v: _View, spk: _Speaker, toks: list[int]) -> bool:
    """Is the subject one capitalised common noun opening the sentence ("Upaya mengajak warga …",
    "Kemudahan … diharapkan bisa mendorong …"): a word also written in lower case in the text, or
    a pe-/ke-…-an noun, with no entity on it?"""
    words = [k for k in range(spk.start, spk.end) if not v.is_space[k]]
    if len(words) != 1 or v.ent_at.get(words[0]) is not None or words[0] != toks[_lead_len(v, toks)]:
        return False
    k = words[0]
    after = v.next_tok(k)
    if v.lower[k] in v.pat.plural_pronouns or (after is not None and v.lower[after] in DEMONSTRATIVES + ("ini",)):
        return False  # "Mereka", "Perusahaan itu mengonfirmasi …": an anaphor, resolved later
    return v.kind[k] == "w" and v.core[k][:1].isupper() and not v.core[k].isupper() and (
        v.common(k) or (v.pat.field_word.match(v.lower[k]) is not None and v.lower[k] not in v.pat.org_words))


def _content_start(v: _View, toks: list[int], i: int) -> int | None:
    """Where the content of reporting verb toks[i] starts: after ',' / ':' / 'bahwa' / 'agar'
    following the verb, after a phrase of addressee or occasion closed by a comma ("mengatakan
    kepada wartawan, …"), else right after it. None when a preposition opens the verb's object
    and no clause follows ("percaya pada generasi muda"), or when a marked reporting verb has
    no comma or complementizer after it ("mengumumkan kasus baru")."""
    pat = v.pat
    pos = i + 1
    if pos < len(toks) and v.lower[toks[pos]] == "akan" and v.lower[toks[i]].startswith("me"):
        return pos  # "menyatakan akan terus …": the modal of a clause without its subject, not "yakin akan X"
    if pos < len(toks) and v.lower[toks[pos]] in OBJECT_PREPOSITIONS + ADDRESSEE_PREPOSITIONS:
        for off, t in enumerate(toks[pos: pos + 10]):
            if v.lower[t] in COMPLEMENTIZERS:
                return pos + off + 1
            if v.words[t] == ",":
                return pos + off + 1
            if v.lower[t] in pat.reporting_verbs:
                break
        if v.lower[toks[pos]] in OBJECT_PREPOSITIONS:
            return None
    # "menampik tuduhan dari Eropa Barat, yang …, bahwa …": a claim's bahwa may come later
    reach = 30 if pos < len(toks) and v.lower[toks[pos]] in pat.claim_nouns else 14
    window = toks[pos: pos + reach]
    if window and v.words[window[0]] in (",", ":"):
        pos += 1
        if pos < len(toks) and v.lower[toks[pos]] in COMPLEMENTIZERS:
            pos += 1
        return pos
    for off, t in enumerate(window):
        if v.lower[t] in COMPLEMENTIZERS:
            if v.lower[toks[i]] in DIRECTIVES and off > 1 and any(_verb_like(v, u) for u in window[1:off]):
                return pos  # "meminta camat … mengawasi warga agar …": the object's own verb first, agar inside
            return i + 1 + off + 1
        if v.lower[t] in pat.reporting_verbs:
            break
    if v.lower[toks[i]] in pat.marked_reporting or _noun_phrase_object(v, toks, pos):
        return None
    return pos


#: directive verbs: their content runs from the addressee on ("meminta Korea Utara untuk menarik …")
DIRECTIVES = ("meminta", "mendesak", "mengimbau", "menginstruksikan", "mengajak", "menyerukan",
              "melarang", "menyarankan", "mendorong", "menugaskan")


def _verb_like(v: _View, t: int) -> bool:
    """A lower-case me-/ber- verb ("mengawasi", "berkumpul"), not a preposition of that shape."""
    lw = v.lower[t]
    return (v.kind[t] == "w" and v.words[t].islower() and len(lw) > 5 and lw.startswith(("me", "ber"))
            and lw not in VERBAL_PREPOSITIONS and lw not in NOUN_MODIFIERS)


TOPIC_PREPOSITIONS = ("tentang", "mengenai")  # "mengingatkan tentang potensi …": a topic, not a clause
NOMINALISATION = re.compile(r"^(?:pe[nmr]?|per|ke)[a-z]{3,}an(?:nya)?$")  # penguatan, ketepatan, keprihatinannya
AMOUNT_WORDS = ("sebesar", "senilai", "sejumlah", "rp")  # "melaporkan dana sebesar Rp …"
# words that make a clause of what follows the verb: auxiliaries, modals, negation, copulas
PREDICATE_WORDS = frozenset((
    "adalah", "akan", "ada", "bakal", "belum", "bisa", "boleh", "bukan", "dapat", "harus", "ialah", "ingin",
    "mampu", "masih", "mau", "merupakan", "mesti", "pernah", "perlu", "sedang", "segera", "sudah", "tak",
    "telah", "tengah", "terdapat", "tidak", "wajib", "sangat", "amat", "tetap", "makin", "semakin", "kian",
))
# ber-/ter- words that modify a noun ("pembatasan berskala kecil", "webinar bertajuk …") rather
# than predicate; other ber-/ter- words are predicates ("kinerja … terjadi", "jaringan tetap berfungsi")
NOUN_MODIFIERS = frozenset((
    "berbagai", "berbasis", "berikut", "berisi", "berjudul", "berjumlah", "berlabel", "bernama", "bersama", "berskala",
    "bertajuk", "bertema", "berupa", "terakhir", "terbanyak", "terbaru", "terbesar", "terendah", "terhadap", "terkait",
    "terkini", "termasuk", "tersebut", "tertentu", "tertinggi", "terutama",
))
# me-/di- words that are prepositions, not predicates
VERBAL_PREPOSITIONS = ("melalui", "mengenai", "menurut", "menjelang", "menuju", "menyusul", "mengingat", "dibanding",
                       "dibandingkan")
# words after which the rest of the phrase is an adjunct ("hal itu ketika berkunjung …")
ADJUNCT_OPENERS = ("ketika", "saat", "sewaktu", "tatkala", "setelah", "seusai", "usai", "sebelum", "sambil", "seraya",
                   "sembari", "yakni", "yaitu", "untuk", "sesuai")


def _noun_phrase_object(v: _View, toks: list[int], pos: int) -> bool:
    """Is what follows a reporting verb at toks[pos] (no comma or complementizer between) its
    noun-phrase object rather than a reported clause: a topic ("tentang …"), or a demonstrative
    ("hal itu"), a nominalisation ("penguatan …", "sumbangan …"), an amount ("dana sebesar Rp …")
    or a prepositional phrase ("melalui …") not followed by a predicate before the first comma
    or adjunct ("ketika …")?"""
    words = [t for t in toks[pos:] if v.kind[t] in ("w", "n") or v.words[t] == ","]
    if not words or v.kind[words[0]] != "w":
        return False
    first = v.lower[words[0]]
    if first in TOPIC_PREPOSITIONS:
        return True
    head = words[:4]
    demonstrative = first == "hal" and len(words) > 1 and v.lower[words[1]] in DEMONSTRATIVES + ("ini",)
    nominal = v.words[words[0]].islower() and NOMINALISATION.match(first) is not None
    amount = any(v.lower[t] in AMOUNT_WORDS for t in head)
    if not (demonstrative or nominal or amount or first in ADDRESSEE_PREPOSITIONS):
        return False
    for n, t in enumerate(words):
        lw = v.lower[t]
        if v.words[t] == "," or (n and lw in ADJUNCT_OPENERS):
            break
        if lw in PREDICATE_WORDS or lw in v.pat.reporting_verbs or (
                v.words[t].islower() and len(lw) >= 5 and lw.startswith(("me", "di", "ber", "ter"))
                and lw not in VERBAL_PREPOSITIONS and lw not in NOUN_MODIFIERS):
            return False
    return True


def _coordinated_verb(v: _View, toks: list[int], pos: int) -> tuple[int | None, int]:
    """A second reporting verb of the same subject ("…, dan menyatakan bahwa …"): (its index,
    where the first content ends); else (None, len(toks))."""
    for j in range(pos + 3, len(toks)):
        if v.lower[toks[j]] in v.pat.reporting_verbs and v.words[toks[j]].islower():
            c = j - 1
            while c > pos and v.lower[toks[c]] in v.pat.adverbs:
                c -= 1
            opens = toks[j + 1: j + 7]  # it introduces content of its own
            if v.lower[toks[c]] in COORDINATORS and opens and (
                v.words[opens[0]] in (",", ":") or any(v.lower[t] in COMPLEMENTIZERS for t in opens)
            ):
                return j, c
    return None, len(toks)
