"""Speaker phrases: the noun phrase after a cue or before a reporting verb, split into
comma-separated segments, and the person, title or institution chosen inside it."""

from __future__ import annotations

from spacy.tokens import Span

from annotator.nlp.entities import org_tail_length
from annotator.nlp.quotes.marks import _is_apostrophe
from annotator.nlp.quotes.view import DEMONSTRATIVES, PLACE_PREPOSITIONS, SENTENCE_END, VERB_PREFIXES, _Speaker, _View


def _scan_forward(v: _View, i: int, max_segments: int = 4, max_tokens: int = 32) -> list[list[int]]:
    """Comma-separated segments of the noun phrase starting at token ``i`` (a speaker after a
    cue, or after "menurut"). Stops at a stop word, a lower-case non-title word, a date."""
    pat = v.pat
    segs: list[list[int]] = []
    cur: list[int] = []
    j = i
    count = 0
    while j < v.n and count < max_tokens:
        if v.is_space[j]:
            if "\n" in v.words[j]:
                break
            j += 1
            continue
        count += 1
        k, c, lw, w = v.kind[j], v.cls[j], v.lower[j], v.words[j]
        nxt = v.next_tok(j)
        if k == "q":
            if cur and _is_apostrophe(v.text, v.starts[j]):
                cur.append(j)
                j += 1
                continue
            break
        if k == "p":
            if w == ",":
                if cur:
                    segs.append(cur)
                    cur = []
                if len(segs) >= max_segments or not segs:
                    break
                j += 1
                continue
            if w in ("/", "&", "-", "'") and cur and nxt is not None and v.cls[nxt] in ("N", "T", "O"):
                cur.append(j)
                j += 1
                continue
            if w == "(" and cur:
                close = _paren_group(v, j)
                if close is not None:
                    cur.extend(range(j, close + 1))
                    j = close + 1
                    continue
            break
        if k == "n":
            if cur and ((v.cls[cur[-1]] in ("O", "T") and v.kind[cur[-1]] == "w") or v.words[cur[-1]] == "-"):
                cur.append(j)
                j += 1
                continue
            break
        if c == "L":
            if lw in pat.stop_words:
                break
            if (cur or (segs and lw == "dan")) and nxt is not None and v.cls[nxt] in ("N", "O", "T") and (lw in pat.name_particles or lw in pat.title_connectors):
                cur.append(j)
                j += 1
                continue
            words = _title_tail(v, cur, j)
            if words:  # "kata kuasa hukum korban, Budi", "kata politisi senior Partai Golkar"
                cur.extend(words)
                j = words[-1] + 1
                continue
            break
        if c == "O" and w.islower() and cur and v.cls[cur[-1]] == "N":
            break  # "Menurut Budi pemerintah harus …": the name ends before the common noun
        if c == "R":
            if not cur and not segs:
                return [[j]]
            break
        if c in ("D", "C"):
            break
        if c == "T" and lw in pat.stop_words and w.islower():
            break
        cur.append(j)
        if w.endswith(",") and len(w) > 1:  # glued comma on an infix-split piece
            segs.append(cur)
            cur = []
        j += 1
    if cur:
        segs.append(cur)
    return segs


def _title_tail(v: _View, cur: list[int], j: int, max_words: int = 3) -> list[int]:
    """Lower-case words at ``j`` that go on a job title (``cur`` starts with one) up to a
    comma before a name or up to a capitalised title/organisation word: "kuasa hukum [korban],
    Budi", "politisi [senior] Partai Golkar". Empty when the words are a verb, an adverb or a
    stop word, or lead elsewhere."""
    pat = v.pat
    if not cur or v.cls[cur[0]] != "T":
        return []
    words: list[int] = []
    k: int | None = j
    while k is not None and v.cls[k] == "L" and len(words) < max_words:
        lw = v.lower[k]
        if lw in pat.stop_words or lw in pat.adverbs or lw in DEMONSTRATIVES or (len(lw) > 5 and lw.startswith(("me", "ber", "di"))):
            return []
        words.append(k)
        k = v.next_tok(k)
    if k is None or not words:
        return []
    if v.words[k] == ",":
        after = v.next_tok(k)
        return words if after is not None and v.cls[after] == "N" else []
    return words if v.cls[k] in ("T", "O") and v.core[k][:1].isupper() else []


def _paren_group(v: _View, j: int) -> int | None:
    """Index of ')' closing a short parenthesised name/acronym at ``j`` (KAI Commuter), else None."""
    k = j + 1
    inner = 0
    while k < v.n and inner <= 5:
        if v.words[k] == ")":
            return k if inner else None
        if v.is_space[k]:
            k += 1
            continue
        if v.kind[k] not in ("w",) or v.cls[k] not in ("N", "O", "T"):
            return None
        inner += 1
        k += 1
    return None


def _scan_backward(v: _View, end: int, lo: int) -> list[list[int]]:
    """Segments (in text order, nearest last) of the noun phrase that ends just before token
    ``end`` (the subject of a reporting verb), not going before token ``lo``."""
    pat = v.pat
    j = end - 1
    skipped = 0
    while j >= lo and (v.is_space[j] or (v.cls[j] == "L" and v.lower[j] in pat.adverbs and skipped < 4) or (v.cls[j] == "C" and v.lower[j] in pat.adverbs)):
        if not v.is_space[j]:
            skipped += 1
        j -= 1
    j = _skip_coordinated_act(v, j, lo)
    bare = _skip_bare_descriptor(v, _skip_bare_relative(v, j, lo), lo)  # right before the verb only
    if bare != j:
        j = bare
    else:
        j = _skip_circumstances(v, _skip_relative_clause(v, _skip_place_tail(v, _skip_dashes(v, j, lo), lo), lo), lo)
    segs: list[list[int]] = []
    first = True
    relative_skipped = False
    while j >= lo and len(segs) < 3:
        if v.words[j] == "," and (first or (segs and (not _segment_has_name(v, segs[-1]) or v.cls[segs[-1][0]] in ("T", "O", "L")))):
            j -= 1
            while j >= lo and v.is_space[j]:
                j -= 1
            k = _skip_descriptor(v, j, lo)  # "Sherly (20), [salah satu donor], mengatakan"
            if k != j:
                j = k - 1
                while j >= lo and v.is_space[j]:
                    j -= 1
        first = False
        cur: list[int] = []
        while j >= lo:
            if v.is_space[j]:
                if "\n" in v.words[j]:
                    break
                j -= 1
                continue
            k, c, lw, w = v.kind[j], v.cls[j], v.lower[j], v.words[j]
            if k == "q":
                if cur and _is_apostrophe(v.text, v.starts[j]):
                    cur.append(j)
                    j -= 1
                    continue
                break
            if k == "p":
                if w in ("/", "&", "-") and cur:
                    cur.append(j)
                    j -= 1
                    continue
                if w == ")" and not cur:  # "Yani (40), agen tiket …": an age is not the name
                    o = v.prev_tok(j)
                    o2 = v.prev_tok(o) if o is not None else None
                    if o is not None and o2 is not None and v.kind[o] == "n" and v.words[o2] == "(":
                        j = o2 - 1
                        continue
                if w == ")" and cur:
                    o = j - 1
                    while o >= lo and v.words[o] != "(" and j - o < 8:
                        o -= 1
                    if o >= lo and v.words[o] == "(":
                        cur.extend(range(j, o - 1, -1))
                        j = o - 1
                        continue
                break
            if k == "n":
                p = v.prev_tok(j)
                if cur and p is not None and (v.cls[p] in ("O", "T") or v.words[p] == "-" or (v.cls[p] == "N" and len(w) <= 2)):
                    cur.append(j)
                    j -= 1
                    continue
                break
            if c == "L":
                if cur and (lw in pat.title_connectors or lw in pat.name_particles):
                    p = v.prev_tok(j)
                    if p is not None and v.cls[p] in ("N", "O", "T"):
                        cur.append(j)
                        j -= 1
                        continue
                break
            if c == "R":
                if not cur:
                    cur.append(j)
                    j -= 1
                break
            if c == "D":
                break
            if c == "T" and lw in pat.stop_words and w.islower():
                break
            cur.append(j)
            j -= 1
        cur.reverse()
        # drop leading connectors ("Sebelumnya NATO", "Namun Aziz")
        while cur and v.cls[cur[0]] in ("C", "") and v.kind[cur[0]] != "q":
            cur.pop(0)
        if not cur:
            break
        # the object of a relative clause is not the subject: "The New York Times dan The
        # Guardian yang mengutip sumber-sumber Ukraina menyebutkan" -> before "yang"
        verb = v.prev_tok(cur[0])
        rel = v.prev_tok(verb) if verb is not None else None
        if (not segs and not relative_skipped and rel is not None and rel >= lo and v.lower[rel] == "yang"
                and v.cls[verb] == "L" and v.lower[verb].startswith(VERB_PREFIXES)):
            relative_skipped = True
            j = rel - 1
            while j >= lo and v.is_space[j]:
                j -= 1
            continue
        segs.append(cur)
        before = v.prev_tok(j) if j > lo else None
        if (before is not None and before >= lo and v.lower[j] == "dari" and v.cls[before] == "N" and not v.common(before)
                and (v.cls[cur[0]] == "O" or (v.ent_at.get(cur[0]) is not None and v.ent_at[cur[0]].label_ == "ORG"))):
            # "Reynaldi dari PT House of Rattan mengatakan": the person before "dari" is the subject
            segs[-1] = [j] + cur
            j -= 1
            continue
        if v.cls[cur[0]] in ("N", "R") or (_segment_has_name(v, cur) and v.cls[cur[0]] not in ("T", "O")):
            k = _skip_descriptor(v, j, lo, need_comma=False) if v.cls[cur[0]] == "N" and j >= lo and v.cls[j] in ("L", "T") else j
            if k != j and k >= lo and v.words[k] == ",":
                # "Yani (40), agen tiket PO Pahala Kencana, mengaku": lower-case role words make the
                # capitalised words an appositive's organisation; the person comes before the comma
                segs[-1] = [t for t in range(k + 1, cur[0]) if not v.is_space[t]] + cur
                j = k
                continue
            break  # a name-led segment; a role-led one may follow a name: "Abdian, Koordinator X, …"
        # "Muhammad Muslim, yang juga juru bicara X, mengatakan"
        while j >= lo and (v.is_space[j] or (v.lower[j] in ("yang", "juga", "sekaligus", "selaku", "sebagai") and v.words[j].islower())):
            j -= 1
        if not (j >= lo and v.words[j] == ","):
            k = _skip_descriptor(v, j, lo, need_comma=False)  # "Yani (40), [agen tiket] PO X, mengaku"
            if k == j or not (k >= lo and v.words[k] == ","):
                break
            j = k
    segs.reverse()
    return segs


CIRCUMSTANCE_WORDS = frozenset(("di", "pada", "kepada", "saat", "ketika", "dalam", "usai", "seusai", "setelah", "sebelum",
                                "selepas", "sembari", "seraya", "sambil", "ditemui", "dihubungi", "dikonfirmasi", "melalui",
                                "lewat", "via", "kala", "tatkala"))


def _group_before(v: _View, j: int, lo: int) -> tuple[list[int], int]:
    """The words from token ``j`` back to the previous comma (text order) and that comma's index
    (or lo - 1)."""
    g: list[int] = []
    m = j
    while m >= lo and v.words[m] != "," and not (v.is_space[m] and "\n" in v.words[m]):
        if not v.is_space[m]:
            g.append(m)
        m -= 1
    g.reverse()
    return g, m


PUBLIC_QUANTIFIERS = frozenset(("sebagian", "banyak", "kebanyakan", "mayoritas"))
PUBLIC_NOUNS = frozenset(("warga", "masyarakat", "umat", "orang", "publik", "kalangan", "penduduk", "warganet",
                          "netizen", "konsumen", "pengguna"))


WHOLE_PUBLICS = frozenset(("masyarakat", "publik", "konsumen", "warganet", "netizen", "pengguna"))


def _unspecified_public(v: _View, verb: int, lo: int) -> bool:
    """Is the subject of the verb at token ``verb`` an unspecified public ("sebagian umat Muslim
    menilai …", "Sebagian warga menilai …")? Such beliefs are not quotes (guidelines section 8)."""
    words: list[int] = []
    k = v.prev_tok(verb)
    while k is not None and k >= lo and len(words) < 6 and v.kind[k] == "w":
        words.insert(0, k)
        k = v.prev_tok(k)
    for n, t in enumerate(words):
        if v.lower[t] in PUBLIC_QUANTIFIERS:
            return any(v.lower[u] in PUBLIC_NOUNS for u in words[n + 1:n + 3])
    # "konsumen Indonesia masih menilai …", "masyarakat menilai …": a whole public, named by its place at most
    rest = [t for t in words if v.lower[t] not in v.pat.adverbs]
    k = next((n for n, t in enumerate(rest) if v.lower[t] in WHOLE_PUBLICS and v.words[t].islower()), None)
    return k is not None and all(v.words[t][:1].isupper() and not _has_person(v, [t]) for t in rest[k + 1:]) \
        and (k == 0 or not v.words[rest[k - 1]][:1].isalpha() or v.cls[rest[k - 1]] in ("C", "L"))


def _skip_relative_clause(v: _View, j: int, lo: int) -> int:
    """Index of the comma before a relative clause (or a descriptor with one) that stands between
    a subject and its verb ("Abhan, yang juga menjadi narasumber dalam diskusi itu, mengatakan"),
    else ``j``."""
    k = j - 1 if j >= lo and v.words[j] == "," else j
    while k >= lo and v.is_space[k]:
        k -= 1
    g, m = _group_before(v, k, lo)
    if g and v.words[g[0]] == "yang" and m >= lo and v.words[m] == ",":
        return m
    # the clause goes on over a comma or two before a place: "Kapau Fauziono, yang tinggal di
    # Loksado, Kabupaten Hulu Sungai Selatan, juga memastikan"
    m2 = _comma_before_places(v, k, lo)
    if m2 is not None:
        g2, m3 = _group_before(v, m2 - 1, lo)
        if g2 and v.words[g2[0]] == "yang" and m3 >= lo and v.words[m3] == ",":
            return m3
    # "Rasjani, pelaku UMKM yang sudah 31 tahun berprofesi sebagai perajin, menuturkan": a short
    # lower-case descriptor with its relative clause
    rel = next((n for n, t in enumerate(g[:5]) if v.lower[t] == "yang"), None)
    if rel and v.core[g[0]].islower() and v.cls[g[0]] in ("L", "T") and m >= lo and v.words[m] == ",":
        return m
    return j


DASHES = ("—", "–", "--")


def _skip_dashes(v: _View, j: int, lo: int, max_tokens: int = 30) -> int:
    """Token index before an aside between dashes that ends at ``j``, between a subject and its
    verb ("Dedy, Kepala Peleton B … — tim pemadam yang tiba pertama kali — menuturkan"), else ``j``."""
    if not (j >= lo and v.words[j] in DASHES):
        return j
    k = j - 1
    while k >= lo and j - k <= max_tokens:
        if v.words[k] in DASHES:
            k -= 1
            while k >= lo and v.is_space[k]:
                k -= 1
            return k if k >= lo else j
        if v.kind[k] == "q" or (v.is_space[k] and "\n" in v.words[k]):
            break
        k -= 1
    return j


def _skip_coordinated_act(v: _View, j: int, lo: int) -> int:
    """Index before "<verb> dan" when the reporting verb is the second of two coordinated acts of
    the subject ("Sugeng Hariyanto bergeming dan mengatakan …"), else ``j``."""
    if not (j >= lo and v.lower[j] in ("dan", "lalu", "kemudian") and v.words[j].islower()):
        return j
    p = v.prev_tok(j)
    if p is None or p < lo or not (v.kind[p] == "w" and v.words[p].islower() and len(v.lower[p]) > 4
                                   and v.lower[p].startswith(("me", "ber", "ter")) and v.lower[p] not in v.pat.reporting_verbs):
        return j
    q = v.prev_tok(p)
    return q if q is not None and q >= lo and v.cls[q] in ("N", "R") else j


def _person_ends_at(v: _View, k: int | None) -> bool:
    """Does a PERSON entity end at token ``k``, or an age in brackets after a name ("Yani (40)")?"""
    if k is None:
        return False
    if v.words[k] == ")":
        o = v.prev_tok(k)
        o2 = v.prev_tok(o) if o is not None else None
        if o is not None and o2 is not None and v.kind[o] == "n" and v.words[o2] == "(":
            k = v.prev_tok(o2)
            if k is None:
                return False
    e = v.ent_at.get(k)
    return e is not None and e.label_ == "PERSON" and e.end - 1 == k


def _skip_bare_relative(v: _View, j: int, lo: int, max_tokens: int = 10) -> int:
    """Index of the person's last token when a relative clause without commas stands between the
    person and the verb ("Eddy Soeparno yang juga hadir di Gedung Sate berharap …"), else ``j``."""
    k = j
    while k >= lo and j - k < max_tokens and v.kind[k] in ("w", "n") and not v.in_quote[k]:
        if v.lower[k] == "yang" and v.words[k].islower():
            p = v.prev_tok(k)
            return p if p is not None and p >= lo and _person_ends_at(v, p) else j
        p = v.prev_tok(k)
        k = p if p is not None else lo - 1
    return j


def _skip_bare_descriptor(v: _View, j: int, lo: int) -> int:
    """Index of the comma before a short lower-case descriptor that ends right before the verb
    without a comma of its own, when a person stands before that comma ("Gabriel Manek (60),
    penjual air menuturkan, …"), else ``j``."""
    k = _skip_descriptor(v, j, lo)
    return k if k != j and _person_ends_at(v, v.prev_tok(k)) else j


def _skip_place_tail(v: _View, j: int, lo: int) -> int:
    """Index of the comma before the places that close an appositive ending at ``j`` ("Dedy,
    Kepala Peleton B dari Stasiun … Sektor II, Kebayoran Baru, Jakarta Selatan — … —
    menuturkan"), when a person is named before them; else ``j``."""
    m = _comma_before_places(v, j, lo)
    return m if m is not None and _has_person(v, range(lo, m)) else j


def _comma_before_places(v: _View, k: int, lo: int, max_groups: int = 2) -> int | None:
    """Index of the comma before the comma-separated groups of places (LOC words only, up to
    ``max_groups``) that end at token ``k`` ("…, Kebayoran Baru, Jakarta Selatan"), else None."""
    m = None
    for _ in range(max_groups):
        g, m2 = _group_before(v, k, lo)
        if not g or len(g) > 6 or not all(_in_place(v, t) or v.kind[t] != "w" for t in g) \
                or not (m2 >= lo and v.words[m2] == ","):
            break
        m, k = m2, m2 - 1
    return m


def _in_place(v: _View, t: int) -> bool:
    e = v.ent_at.get(t)
    return e is not None and e.label_ == "LOC"


def _skip_circumstances(v: _View, j: int, lo: int) -> int:
    """Token index before the time/place/occasion phrases that stand between a subject and its
    verb: "X, Jumat (10/4/2020), mengatakan", "X di Surabaya, Rabu, mengatakan", "X saat
    dihubungi, mengatakan". ``j`` is the last token before the verb."""
    while j >= lo:
        k = j - 1 if v.words[j] == "," else j
        while k >= lo and v.is_space[k]:
            k -= 1
        g, m = _group_before(v, k, lo)
        starts = [n for n, t in enumerate(g) if v.cls[t] == "D" or (v.lower[t] in CIRCUMSTANCE_WORDS and v.words[t].islower())]
        if not starts or _has_person(v, g[starts[0]:]):
            return j  # "Organisasi Angkutan Bermotor di Jalan (Organda) DKI Jakarta Shafruhan Sinungan"
        if starts[0] > 1 and v.lower[g[starts[0] - 1]] == "yang":
            return g[starts[0] - 2]  # "X yang dihubungi pada Kamis mengatakan"
        if starts[0] > 0:
            return g[starts[0] - 1]
        if m < lo or v.words[m] != ",":
            return j
        j = m
    return j


def _skip_descriptor(v: _View, j: int, lo: int, need_comma: bool = True) -> int:
    """Index of the comma before a short lower-case descriptor ending at ``j`` ("salah satu
    donor", "agen tiket"), else ``j``."""
    g, m = _group_before(v, j, lo)
    if not g or len(g) > 6 or not all(v.kind[t] == "w" and v.words[t].islower() and v.cls[t] in ("L", "T") for t in g):
        return j
    if any(v.lower[t] in v.pat.stop_words or v.lower[t] in v.pat.reporting_verbs for t in g):
        return j
    return m if m >= lo and v.words[m] == "," else j


def _has_person(v: _View, seg) -> bool:
    """Is a token of the segment in a PERSON entity?"""
    return any(v.ent_at.get(k) is not None and v.ent_at[k].label_ == "PERSON" for k in seg)


def _segment_has_name(v: _View, seg: list[int]) -> bool:
    return any(v.cls[k] == "N" for k in seg) or _has_person(v, seg)


def _joiner(v: _View, k: int) -> bool:
    return (v.kind[k] == "q" and _is_apostrophe(v.text, v.starts[k])) or (v.kind[k] == "p" and v.words[k] == "-") or v.lower[k] in v.pat.name_particles


def _name_in_segment(v: _View, seg: list[int]) -> tuple[int, int] | None:
    """The person's name inside a speaker segment: the leading name words of a segment that
    starts with a name, else the trailing name words after a title/organisation. None when
    the words look like a place or an organisation (Amerika Serikat, Pejabat Ukraina)."""
    if not seg:
        return None
    lo, hi = seg[0], seg[-1] + 1
    if v.cls[seg[0]] == "N":
        out = [seg[0]]
        for k in seg[1:]:
            if v.cls[k] == "N" or (_joiner(v, k) and k != seg[-1]):
                out.append(k)
            else:
                break
        while out and _joiner(v, out[-1]):
            out.pop()
        after = seg[len(out)] if len(out) < len(seg) else None
        if after is not None:
            # "Area Supervisor Jabar 2 PT … Zafrullah Sunyaruri [menuturkan]": a person entity
            # ending the segment is the name; the leading capitalised words belong to the title
            last = v.ent_at.get(seg[-1])
            if last is not None and last.label_ == "PERSON" and after <= last.start and last.end == hi:
                return (last.start, last.end)
        if after is not None and v.cls[after] == "O" and v.kind[after] == "w":
            return None  # "Korea Selatan", "Bank Sultra": an organisation or place
        if all(v.placelike(k, lo, hi) for k in out if v.cls[k] == "N"):
            return None
        return (out[0], out[-1] + 1)
    run: list[int] = []
    tail = _name_ending_in_org_word(v, seg)
    for k in reversed(seg):
        if v.cls[k] == "N" or k in tail or (run and _joiner(v, k)):
            run.append(k)
        else:
            break
    run.reverse()
    while run and _joiner(v, run[0]):
        run.pop(0)
    if not run:
        return None
    words = [k for k in run if v.cls[k] == "N"]
    # start after the last word the document uses as a place/organisation
    # ("Kepala Kelompok Nagaraja Cilacap Jumawan", "Kepala Puskesmas Margadana Wahidin")
    places = [i for i, k in enumerate(words[:-1])
              if v.placelike(k, lo, hi) or (v.tagged_place(k) and not v.name_evidence(k, lo, hi))]
    if places:
        words = words[places[-1] + 1:]
    while len(words) > 1 and v.lower[words[0]] in v.not_name:
        words = words[1:]  # "Ketua Badan Pengawas Pemilu Abhan": derived and institution words
    if len(words) == 1 and (v.placelike(words[0], lo, hi) or v.tagged_place(words[0])):
        return None  # "Pejabat Ukraina", "PT Bank DBS Indonesia"
    if len(words) >= 3:
        ev = [v.name_evidence(k, lo, hi) for k in words]
        if not ev[0] and any(ev[1:]):
            first = ev.index(True)
            if len(words) > 3:
                words = words[first:]
        if len(words) > 3:
            words = words[-3:]
    # a longer name the entity layer marks as one PERSON ("Tri Yunus Miko Wahyono",
    # "I Gusti Putu Ngurah Sedana") keeps its first words
    # ("I" of Balinese names is an initial here, not a numeral)
    ent = v.ent_at.get(run[-1])
    if (ent is not None and ent.label_ == "PERSON" and ent.end == run[-1] + 1 and ent.start < words[0]
            and all(v.cls[k] == "N" or _joiner(v, k) or v.is_space[k] or (k < run[0] and len(v.core[k]) == 1 and v.core[k].isupper())
                    for k in range(ent.start, words[0]))
            and not v.placelike(ent.start, lo, hi)):
        return (org_tail_length(v.doc, ent.start, run[-1] + 1), run[-1] + 1)
    # not the end of an organisation the text writes elsewhere ("PD Panca Karya Rusdy Ambon")
    return (org_tail_length(v.doc, words[0], run[-1] + 1), run[-1] + 1)


def _name_ending_in_org_word(v: _View, seg: list[int]) -> tuple[int, ...]:
    """The last words of a title-led segment when they are capitalised organisation words
    ("Utama", "Jaya") after a word that starts a person's entity or that the text uses as a
    name elsewhere ("Head of X Tubagus Utama" … "Menurut Tubagus"): part of the name; else ()."""
    end = len(seg)
    while end > 1 and len(seg) - end < 2 and v.cls[seg[end - 1]] == "O" and v.kind[seg[end - 1]] == "w" and (
            v.lower[seg[end - 1]] in v.pat.org_words and not v.core[seg[end - 1]].isupper()
            and v.ent_at.get(seg[end - 1]) is None):
        end -= 1
    if end == len(seg) or v.cls[seg[end - 1]] != "N":
        return ()
    first = seg[end - 1]
    ent = v.ent_at.get(first)
    person = (ent is not None and ent.label_ == "PERSON" and ent.start > seg[0]) or v.name_evidence(
        first, seg[0], seg[-1] + 1, strong=True)
    return tuple(seg[end:]) if person else ()


def _pure_name_segment(v: _View, seg: list[int]) -> bool:
    lo, hi = seg[0], seg[-1] + 1
    if not seg or len([k for k in seg if v.cls[k] == "N"]) > 4:
        return False
    if not all(v.cls[k] == "N" or _joiner(v, k) for k in seg):
        return False
    return not v.placelike(seg[0], lo, hi)


def _placeish_segment(v: _View, seg: list[int]) -> bool:
    lo, hi = seg[0], seg[-1] + 1
    return any(v.cls[k] in ("O", "T") for k in seg) or any(v.placelike(k, lo, hi) for k in seg if v.cls[k] == "N")


def _person_ent_in(v: _View, lo: int, hi: int) -> Span | None:
    for e in v.ents:
        if e.label_ == "PERSON" and lo <= e.start < hi:
            return e
    return None


def _degree(v: _View, k: int) -> bool:
    return v.cls[k] == "T" and v.lower[k].replace(".", "") in v.pat.degrees and not v.words[k].islower()


def _without_degrees(v: _View, seg: list[int]) -> list[int]:
    """The segment without the degrees that end it ("Budi Santoso SH MH"); its first word stays."""
    end = len(seg)
    while end > 1 and _degree(v, seg[end - 1]):
        end -= 1
    return seg[:end]


def _resolve_segments(v: _View, segs: list[list[int]], backward: bool = False) -> _Speaker | None:
    """Pick the speaker inside the segments of a speaker phrase (a degree after the name is no
    part of it: "Advokat Budi Santoso SH" -> "Budi Santoso")."""
    segs = [_without_degrees(v, s) for s in segs if s]
    if not segs:
        return None
    if backward:
        # nearest segment is the last: "Robert Wood, duta besar AS, mengatakan" -> Robert Wood
        # "…, Senin (30/11/2020) di Jakarta, mengatakan": a place, not the subject
        segs = [s for s in segs if _has_person(v, s) or not (
            v.prev_tok(s[0]) is not None and v.lower[v.prev_tok(s[0])] in PLACE_PREPOSITIONS)]
        if not segs:
            return None
        last = segs[-1]
        whole = v.ent_at.get(last[0])
        if whole is not None and whole.label_ == "ORG" and whole.start == last[0] and whole.end == last[-1] + 1 and len(last) > 1:
            return _Speaker(whole.start, whole.end, "ORG")  # "[Pemkot Manado] meminta": the body, not its area
        if len(last) > 2 and v.lower[last[0]] in ("dan", "serta") and any(v.cls[k] in ("O", "T") for k in last):
            # "Kepala Dinas Perumahan, Cipta Karya, dan Tata Ruang Kota Surabaya Iman Krestian
            # menuturkan": the title's enumeration ends in the name
            tail = []
            for k in reversed(last):
                if v.cls[k] != "N" and not (tail and _joiner(v, k)):
                    break
                tail.insert(0, k)
            if 0 < len(tail) <= 4 and v.cls[last[len(last) - len(tail) - 1]] in ("O", "T"):
                return _snap(v, (tail[0], tail[-1] + 1))
        named = [s for s in segs if _segment_has_name(v, s)]
        # "Kepala Dinas X Muhammad Muslim, yang juga juru bicara Gugus Tugas Y, mengatakan"
        people = [s for s in named if _has_person(v, s)]
        # "Abdian Saputra, Koordinator X, …"; but not a capitalised description before the
        # person ("Kandidat doktor Medical Science Kobe University, dokter Adam Prabata, …")
        led = [s for s in named if v.cls[s[0]] == "N" and (not people or s in people or _pure_name_segment(v, s))]
        seg0 = led[-1] if led else people[-1] if people else named[-1] if named else segs[-1]
        rest: list[list[int]] = []
    else:
        seg0, rest = segs[0], segs[1:]
    if v.cls[seg0[0]] == "R":
        return _Speaker(seg0[0], seg0[0] + 1, "PERSON", coref=True)
    lo, hi = seg0[0], seg0[-1] + 1
    name = _name_in_segment(v, seg0)
    title_led = v.cls[seg0[0]] in ("T", "O")
    if title_led and rest:
        # "kata juru bicara Gugus Tugas X, Alamsyah, Rabu": the name after the role
        name_known = name is not None and any(v.name_evidence(k, lo, hi) for k in range(*name) if v.cls[k] == "N")
        for seg in rest[:3]:
            if name_known:
                break
            if _pure_name_segment(v, seg):
                return _snap(v, (seg[0], seg[-1] + 1))
            if not _placeish_segment(v, seg):
                break
            later = _name_in_segment(v, seg)  # "Bidang Politik, Hukum, dan Keamanan Mahfud MD"
            if later is not None and any(v.name_evidence(k, seg[0], seg[-1] + 1) for k in range(*later) if v.cls[k] == "N"):
                return _snap(v, later)
    if name is not None:
        return _snap(v, name)
    ent = _person_ent_in(v, lo, hi)
    if ent is not None and all(v.cls[k] == "N" or _joiner(v, k) for k in range(ent.start, ent.end)):
        return _entity_speaker(v, ent)
    # no name: the whole phrase is the speaker (kata Presiden; pemerintah Korea Selatan)
    while len(seg0) > 1 and (v.kind[seg0[-1]] != "w" or v.lower[seg0[-1]] in v.pat.title_connectors):
        seg0 = seg0[:-1]
    lo, hi = seg0[0], seg0[-1] + 1
    e = v.ent_at.get(lo)
    if e is not None and e.start == lo and e.end == hi:
        return _Speaker(lo, hi, e.label_)
    if e is not None and e.start == lo and e.label_ == "ORG" and all(
        v.is_space[k] or (v.ent_at.get(k) is not None and v.ent_at[k].label_ == "LOC") for k in range(e.end, hi)
    ):  # "Pentagon Amerika": the organisation, not its country
        return _Speaker(lo, e.end, "ORG")
    return _Speaker(lo, hi, _free_label(v, seg0))


def _snap(v: _View, name: tuple[int, int]) -> _Speaker:
    """A name as speaker; a PERSON entity ending it wins when what it leaves out is a place."""
    for k in range(*name):
        e = v.ent_at.get(k)
        if e is not None and e.label_ == "PERSON" and e.start > name[0] and e.end == name[1]:
            # what it leaves out is a place, or lies inside another entity ("Dinas Kesehatan Kota
            # Surabaya Febria Rachmanita": "Surabaya" ends the ORG)
            if all(v.cls[j] != "N" or v.placelike(j, name[0], name[1])
                   or (v.ent_at.get(j) is not None and v.ent_at[j].label_ != "PERSON")
                   for j in range(name[0], e.start)):
                name = (e.start, e.end)
            break
    return _Speaker(_with_rank(v, name[0]), name[1], "PERSON")


def _with_rank(v: _View, start: int) -> int:
    """Start of the name with the rank or honorific right before it ("Komisaris Besar Yusri
    Yunus", "Irjen Fadil", "dr Algazali"), when quotes.json keeps ranks; job titles stay out.
    "Jenderal"/"Besar" closing a job title ("Sekretaris Jenderal Antonio Guterres") is not a rank."""
    pat = v.pat
    if not pat.keep_ranks:
        return start
    run: list[int] = []
    k = v.prev_tok(start)
    while k is not None and v.kind[k] == "w" and (v.lower[k] in pat.ranks or v.lower[k] in ("besar", "jenderal", "polisi")):
        run.insert(0, k)
        k = v.prev_tok(k)
    while run and v.lower[run[0]] in ("besar", "jenderal", "polisi"):
        if k is not None and v.cls[k] == "T" and v.lower[k] not in pat.ranks:
            run.pop(0)  # "Sekretaris Jenderal": the title's own word
            k = run[0] - 1 if run else None
        else:
            break
    while run and v.lower[run[0]] in ("besar", "polisi"):
        run.pop(0)
    return run[0] if run else start


def _free_label(v: _View, seg: list[int]) -> str:
    head = seg[0]
    names = [k for k in seg if v.cls[k] == "N"]
    if names and v.cls[head] == "N" and all(v.placelike(k, seg[0], seg[-1] + 1) for k in names):
        return "LOC"
    if v.lower[head] in v.pat.org_words or v.lower[head] in v.pat.institutions:
        return "ORG"
    if v.cls[head] in ("O", "N", "L") and not any(v.cls[k] == "T" for k in seg):
        return "ORG"
    return "PERSON"


def _entity_speaker(v: _View, ent: Span) -> _Speaker:
    """A PERSON entity as speaker: the name, not the title or organisation, even when the
    entity includes them ("Kepala Dinas X Nurhadi" → "Nurhadi")."""
    if ent.label_ == "PERSON" and (ent.end - ent.start > 3 or any(v.cls[k] in ("T", "O") for k in range(ent.start, ent.end))):
        name = _name_in_segment(v, [k for k in range(ent.start, ent.end) if not v.is_space[k]])
        if name is not None:
            return _Speaker(name[0], name[1], "PERSON")
    s, e = ent.start, ent.end
    while s < e - 1 and (v.cls[s] == "T" or v.is_space[s]):
        s += 1
    while e - 1 > s and (v.cls[e - 1] == "T" or v.kind[e - 1] == "p" or v.is_space[e - 1]):
        e -= 1  # "Budi Santoso SH MH"
    return _Speaker(s, e, ent.label_)


def _sentence_initial(v: _View, k: int) -> bool:
    p = v.prev_tok(k)
    return p is None or v.sent_of[p] != v.sent_of[k] or v.words[p] in SENTENCE_END or v.kind[p] == "q"


def _descriptor_speaker(v: _View, spk: _Speaker) -> _Speaker | None:
    """``pemerintah Korea Selatan`` / ``Badan intelijen Korea Selatan`` / ``perwakilan Korea
    Utara untuk PBB`` / ``laporan intelijen AS``: a lower-case descriptor (quotes.json
    ``speaker_descriptors``; capitalised only at a sentence start) before a name → the first
    state or organisation in the phrase (the entity when the entity layer has one, else the
    capitalised words). None when the phrase is not of that form."""
    toks = [k for k in range(spk.start, spk.end) if not v.is_space[k]]
    if len(toks) < 2 or v.kind[toks[0]] != "w" or v.lower[toks[0]] not in v.pat.descriptors:
        return None
    if not v.core[toks[0]].islower() and not _sentence_initial(v, toks[0]):
        return None
    i = 1
    while i < len(toks) and ((v.kind[toks[i]] == "w" and v.core[toks[i]].islower()) or v.words[toks[i]] == "-"):
        i += 1
    if i >= len(toks) or v.kind[toks[i]] != "w" or not v.core[toks[i]][0].isupper():
        return None
    k = toks[i]
    e = v.ent_at.get(k)
    if e is not None:
        if e.start == k and e.label_ in ("LOC", "ORG", "GPE", "NORP") and e.end <= spk.end:
            return _Speaker(e.start, e.end, "LOC" if e.label_ in ("GPE", "NORP") else e.label_)
        return None
    run = [k]
    for j in toks[i + 1:]:
        if v.kind[j] == "w" and v.core[j][0].isupper() and v.cls[j] in ("N", "O") and v.ent_at.get(j) is None:
            run.append(j)
        else:
            break
    if any(v.cls[j] == "N" and v.name_evidence(j, run[0], run[-1] + 1, strong=True) for j in run):
        return None  # a person's name after all
    return _Speaker(run[0], run[-1] + 1, _free_label(v, run))
