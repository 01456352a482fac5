"""Direct quotes: quoted text with its cue after (``”…,” kata X``) or its introduction before
(``X mengatakan, ”…”``), partial quotes, headline quotes."""

from __future__ import annotations

from annotator.nlp.quotes.marks import ALL_MARKS, _is_apostrophe, _line_end, _line_start, pair_quote_marks
from annotator.nlp.quotes.view import _Quote, _Speaker, _View
from annotator.nlp.quotes.speakers import _descriptor_speaker, _entity_speaker, _free_label, _name_in_segment, _resolve_segments, _scan_backward, _scan_forward


def _content_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalpha() for ch in w))


def _direct_quotes(v: _View) -> list[_Quote]:
    text = v.text
    out: list[_Quote] = []
    for o, c, closed in pair_quote_marks(text):
        a, b = _content_bounds(text, o + 1, c)
        if b <= a:
            continue
        open_tok = v.token_at(o)
        close_tok = v.token_at(c) if closed else v.token_at(max(a, b - 1))
        q = _Quote(start=a, end=b, kind="direct", open_tok=open_tok, close_tok=close_tok + 1)
        content = text[a:b]
        before = v.prev_tok(open_tok)
        if before is not None and v.lower[before] in v.pat.naming_words and _word_count(content) <= 12:
            continue  # a name, title or slogan: khotbah yang bertema ”Idul Fitri Momentum Hijrah”
        cue_after = _cue_after(v, q, closed)
        intro = False
        if not cue_after or q.needs_coref:
            # "X mengatakan, ”…”" — and for "X mengatakan, ”…,” katanya" the cue stays
            # "katanya" while the introduction names the speaker
            probe = _Quote(start=a, end=b, kind="direct", open_tok=open_tok, close_tok=close_tok + 1)
            intro = _intro_before(v, probe)
            if not cue_after:
                q.cue, q.speaker, q.how, q.needs_coref = probe.cue, probe.speaker, probe.how, probe.needs_coref
            elif probe.speaker is not None and not probe.needs_coref:
                q.speaker, q.how, q.needs_coref = probe.speaker, "intro", False
        if not (cue_after or intro):
            partial = _partial_quote_subject(v, q, closed, content)
            if partial is not None:
                q.speaker, q.how = partial, "subject"
            elif not _looks_like_speech(v, text, o, c, content):
                continue
        for k in range(open_tok, close_tok + 1):
            v.covered[k] = 1
            v.in_quote[k] = 1
        if q.cue is not None:
            for k in range(q.cue[0], (q.speaker.end if q.speaker and q.speaker.start > q.cue[0] else q.cue[1])):
                v.covered[k] = 1
        out.append(q)
    return out


def _partial_quote_subject(v: _View, q: _Quote, closed: bool, content: str) -> _Speaker | None:
    """``pemerintah Korea Selatan "mengutuk keras" Korea Utara``: a short quoted predicate (a
    lower-case me-/ber- verb first, at most five words) right after its subject, a named or
    institutional speaker. The quoted words are the subject's; the cue stays None. Scare
    quotes on nouns (``bukan ”kuburan” bagi``) fail the verb test."""
    if not closed or not 1 <= _word_count(content) <= 5 or not content[:1].islower():
        return None
    first = content.split()[0].strip(",.;:!?").lower()
    if len(first) < 6 or not first.isalpha() or not first.startswith(("me", "ber")) and first not in v.pat.reporting_verbs:
        return None
    o = q.open_tok
    p = v.prev_tok(o)
    if p is None or v.kind[p] != "w" or v.lower[p] in v.pat.negators or v.cls[p] in ("L", "C", "D", "R", ""):
        return None
    lo = v.sentences[v.sent_of[p]][0]
    segs = _scan_backward(v, o, lo)
    if not segs:
        return None
    spk = _resolve_segments(v, segs[-1:], backward=True)
    if spk is None or spk.coref:
        return None
    named = _descriptor_speaker(v, spk)
    if named is not None:
        return named
    if spk.label == "PERSON" and _name_in_segment(v, segs[-1]) is not None:
        return spk
    e = v.ent_at.get(spk.start)
    if e is not None and e.start == spk.start and e.end == spk.end and e.label_ in ("PERSON", "ORG", "LOC"):
        return spk
    return None


def _headline_quote(v: _View, quotes: list[_Quote]) -> _Quote | None:
    """Headline ``X: words`` (``Biden: Sangat Berbahaya``): the first line of a text with
    paragraphs, short and without final period, where a name (one to four capitalised words,
    at the line start or after a comma) stands before ``:``. Content = the rest of the line;
    speaker = the name; no cue (a colon is not a reporting word)."""
    text = v.text
    span = _first_line(v)
    if span is None or ": " not in text[span[0]:span[1]]:
        return None
    a, b = span
    line = text[a:b]
    colon = a + line.index(": ")
    ca, cb = _content_bounds(text, colon + 1, a + len(line))
    if _word_count(text[ca:cb]) < 2 or any(q.start < cb and ca < q.end for q in quotes):
        return None
    ct = v.token_at(colon)
    if v.words[ct] != ":" and not v.words[ct].endswith(":"):
        return None
    end = ct if v.words[ct] == ":" else ct + 1
    toks = []
    k = v.prev_tok(end) if v.words[ct] == ":" else ct
    while k is not None and v.starts[k] >= a and v.words[k] not in (",", "–", "—", "-", "|"):
        toks.insert(0, k)
        k = v.prev_tok(k)
    if not 1 <= len(toks) <= 4:
        return None
    if not all(v.kind[t] == "w" and v.core[t][:1].isupper() and v.cls[t] in ("N", "O") for t in toks):
        return None
    s, e = toks[0], toks[-1] + 1
    ent = v.ent_at.get(s)
    if ent is not None and ent.start == s and ent.end == e:
        spk = _entity_speaker(v, ent) if ent.label_ == "PERSON" else _Speaker(s, e, ent.label_)
    else:
        spk = _Speaker(s, e, "PERSON" if all(v.cls[t] == "N" for t in toks) else _free_label(v, toks))
    return _Quote(start=ca, end=cb, kind="direct", open_tok=s, close_tok=v.token_at(cb - 1) + 1, speaker=spk, how="headline")


def _first_line(v: _View) -> tuple[int, int] | None:
    """Char span of a headline: the first line of a text with paragraphs, short, no final period."""
    text = v.text
    if "\n" not in text.strip():
        return None
    a = len(text) - len(text.lstrip())
    line = text[a:_line_end(text, a)].rstrip()
    if not line or len(line) > 160 or line[-1] in ".\"”":
        return None
    return a, a + len(line)


def _headline_report(v: _View, quotes: list[_Quote]) -> _Quote | None:
    """Headline ``X Konfirmasi <content>`` (a headline's bare reporting verb after the source at
    the line start): content = the words after the verb up to a comma or the line end."""
    line = _first_line(v)
    if line is None:
        return None
    a, b = line
    first = v.token_at(a)
    ent = v.ent_at.get(first)
    if ent is None or ent.start != first or ent.label_ not in ("ORG", "LOC", "PERSON"):
        return None
    verb = v.next_tok(ent.end - 1)
    if verb is None or not v.words[verb][:1].isupper() or v.lower[verb] not in v.pat.headline_cues:
        return None
    toks = []
    k = v.next_tok(verb)
    while k is not None and v.starts[k] < b and v.words[k] not in (",", ":", "|", "–", "—"):
        toks.append(k)
        k = v.next_tok(k)
    if len(toks) < 2:
        return None
    ca, cb = v.starts[toks[0]], v.char_end(toks[-1])
    if any(q.start < cb and ca < q.end for q in quotes):
        return None
    spk = _entity_speaker(v, ent) if ent.label_ == "PERSON" else _Speaker(ent.start, ent.end, ent.label_)
    return _Quote(start=ca, end=cb, kind="indirect", open_tok=first, close_tok=toks[-1] + 1, cue=(verb, verb + 1),
                  speaker=spk, how="headline")


def _looks_like_speech(v: _View, text: str, o: int, c: int, content: str) -> bool:
    """A quoted sentence standing on its own (no cue): capitalised, ≥ 4 words, final
    punctuation, after a sentence boundary. Scare quotes, titles and slogans fail."""
    if _word_count(content) < 4:
        return False
    first = next((ch for ch in content if ch.isalpha()), "")
    if not first.isupper():
        return False
    if content.rstrip()[-1:] not in ".!?…,":
        return False
    before = text[:o].rstrip()
    return not before or before[-1] in ".!?:;…\n" or before[-1] in ALL_MARKS or text[_line_start(text, o):o].strip() == ""


def _cue_after(v: _View, q: _Quote, closed: bool) -> bool:
    """``”…,” kata X`` / ``”…,” katanya`` / ``”…,” X menambahkan``: set q.cue/q.speaker."""
    if not closed:
        return False
    pat = v.pat
    j = v.next_tok(q.close_tok - 1)
    if j is not None and v.words[j] == ",":
        j = v.next_tok(j)
    if j is None or v.kind[j] != "w":
        return False
    lw = v.lower[j]
    is_cue, nya = pat.cue_form(lw)
    if is_cue:
        comma_style = v.text[q.end - 1] in ",?!"  # Kompas: "…,” kata X"
        if v.core[j][0].isupper() and not comma_style:
            return False  # a new sentence ("Jelas, …"), not a cue
        q.cue = (j, j + 1)
        q.how = "cue"
        if nya:
            q.needs_coref = True
            return True
        spk = _resolve_segments(v, _scan_forward(v, j + 1))
        if spk is None and not comma_style:
            q.cue = q.how = None
            return False
        q.speaker = spk  # a pronoun is kept if coreference fails
        q.needs_coref = spk is not None and spk.coref
        return True
    if lw in pat.introducers and lw.endswith("nya"):  # "”…,” menurutnya."
        q.cue = (j, j + 1)
        q.how = "cue"
        q.needs_coref = True
        return True
    if lw in pat.reporting_verbs:
        return False
    # "”…,” Wood menambahkan." / "”…,” Menteri X mengatakan."
    segs = _scan_forward(v, j, max_segments=1, max_tokens=10)
    if segs:
        end = segs[-1][-1]
        k = v.next_tok(end)
        if k is not None and (v.lower[k] in pat.reporting_verbs or (pat.cue_form(v.lower[k])[0] and not pat.cue_form(v.lower[k])[1])):
            q.cue = (k, k + 1)
            q.how = "cue"
            spk = _resolve_segments(v, segs)
            q.speaker = spk
            if spk is not None and spk.coref:
                q.needs_coref = True
            return True
    return False


def _intro_before(v: _View, q: _Quote) -> bool:
    """``X mengatakan, ”…”`` / ``Menurut X, ”…”`` / ``kata X: ”…”`` / any ``…: ”…”``."""
    pat = v.pat
    o = q.open_tok
    p = v.prev_tok(o)
    if p is None:
        return False
    colon = v.words[p] in (":",) or v.words[p].endswith(":")
    lo = v.sentences[v.sent_of[p]][0]
    # walk back over at most 14 tokens of this sentence for a reporting verb, cue or "menurut"
    j = p
    seen = 0
    while j >= lo and seen < 14:
        if v.is_space[j]:
            j -= 1
            continue
        if v.kind[j] == "q" and not _is_apostrophe(v.text, v.starts[j]):
            break
        lw = v.lower[j]
        between = [k for k in range(j + 1, o) if not v.is_space[k]]
        tail_ok = not between or v.words[between[-1]] in (",", ":") or v.lower[between[-1]] == "bahwa" or v.words[between[-1]].endswith((",", ":"))
        if lw in pat.reporting_verbs and tail_ok and v.words[j].islower():
            neg = v.prev_tok(j)
            if neg is not None and v.lower[neg] in pat.negators:
                return colon
            q.cue = (j, j + 1)
            q.how = "intro"
            spk = _resolve_segments(v, _scan_backward(v, j, lo), backward=True)
            q.speaker = spk
            if spk is not None and spk.coref:
                q.needs_coref = True
            return True
        is_cue, nya = pat.cue_form(lw)
        if (is_cue or lw in pat.introducers) and tail_ok and len(between) <= 12:
            q.cue = (j, j + 1)
            q.how = "intro"
            if nya or lw.endswith("nya"):
                q.needs_coref = True
                return True
            segs = _scan_forward(v, j + 1, max_segments=2)
            if segs and segs[0] and segs[0][0] < o and v.lower[segs[0][0]] not in pat.menurut_non_speakers:
                spk = _resolve_segments(v, segs)
                q.speaker = spk
                if spk is not None and spk.coref:
                    q.needs_coref = True
                return True
            q.cue = None
            q.how = None
        seen += 1
        j -= 1
    return colon
