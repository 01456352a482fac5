"""Quote finder: direct and indirect quotations, their cue and their speaker (rules, no model).

Output, per Doc:
- ``doc._.quotes``: one dict per quote, in text order — ``start``/``end`` (characters of the
  content, quotation marks excluded), ``token_start``/``token_end`` (spaCy, end exclusive),
  ``kind`` (direct|indirect), ``speaker`` and ``cue`` (``{start, end, text, label?,
  token_start, token_end}`` or None), ``attribution`` (how the speaker was found: cue, intro,
  coref, continuation), ``stance``/``score`` (filled by the stance component), ``source``
  "rule", ``status`` "suggested". The links between a quote, its cue and its speaker live here.
- span groups ``doc.spans["quotes"|"cues"|"speakers"]`` with the same spans, for display and
  DocBin (they do not say which speaker belongs to which quote).

Decisions worth knowing:
- Quote marks are paired by position and context, not by glyph: Kompas opens and closes with
  the same ``”``. A mark with a space before and a letter after opens, one glued to the
  previous word/punctuation with a space after closes; the rest is decided by whether a quote
  is open. A paragraph that ends inside a quote and a next paragraph starting with an opening
  mark make one quote over both paragraphs. A quote inside a quote with the same glyph, and a
  double opening mark closed by a single one (``“…,’ kata X``), are handled.
- Quoted phrases are speech only with a cue, an introduction (``X mengatakan, ”…”``, ``:``)
  or the shape of a sentence (≥ 4 words, capitalised, final punctuation, standing after a
  sentence boundary); scare quotes, titles and slogans are not suggested.
- The speaker is the name, not the job title, rank or degree (``kata Menteri Pertahanan AS
  Lloyd Austin`` → ``Lloyd Austin``; ``Komisaris Besar Yusri Yunus`` → ``Yusri Yunus``;
  ``Budi Santoso, S.H., M.H.`` → ``Budi Santoso``), as the guidelines want; with
  ``speaker_keeps_ranks`` true in quotes.json a rank stays (PFSA-ID's convention).
  Without a name, the whole noun phrase is the speaker (``kata Presiden`` → ``Presiden``; an
  entity equal to the phrase is used with its label), except a lower-case descriptor
  (``speaker_descriptors``: ``pemerintah Korea Selatan``, ``perwakilan Korea Utara untuk PBB``,
  ``laporan intelijen AS``) → the state/organisation inside (guidelines 4.3). A bare title
  with itu/tersebut takes the earlier holder's name (``Menteri tersebut``); a title of ≥ 2
  words takes the name given right after the same title in a quote of the next three
  sentences; an unnamed one keeps its demonstrative (``Pejabat Ukraina itu``). ``Mereka`` /
  ``Para menteri`` take the last group (ORG/LOC) speaker; ``Perusahaan itu`` / ``Lembaga
  tersebut`` the closest ORG entity of the two sentences before.
- Also direct: a headline ``Name: words`` (first line, no cue) and a short quoted me-/ber-
  predicate right after a named/institutional subject (``pemerintah X "mengutuk keras" Y``).
- Indirect: ``X mengatakan(,) (bahwa) …`` (a phrase of addressee or occasion before a comma is
  not content; a verb of holding a position with a prepositional object, ``percaya pada X``,
  reports nothing; ``marked_reporting_verbs`` report only before ``,``/``:``/bahwa/agar),
  ``Menurut X, …`` and the openings ``Bagi X, …`` / ``Berdasarkan keterangan X, …``, and
  attributions inside the clause (``A, kata X, B``; ``A, diyakini X, B``) with the whole clause
  as content, a connective before the attribution left outside.
- The subject of a reporting verb is the person of an appositive (``X (40), agen tiket PO Y,
  mengaku``; ``X, yang juga …, mengatakan``; ``X dari PT Y mengatakan``), not its organisation.
- With ``speaker_entities`` (default), a speaker's name read off its reporting clause becomes a
  PERSON entity when the clause backs it (right after a cue, after a title chain, or a word of
  it used as a name elsewhere): the entity model misses or cuts such names ("kata Parwati").
- Names are found without a model (capitalised words after titles and organisation words,
  checked against the rest of the article: "Menurut Wahidin" elsewhere says Wahidin is a
  name, "di Margadana" says Margadana is a place). Entities in ``doc.ents`` help: rule
  entities (gazetteer, dates) mark places/organisations; a PERSON entity is used when the
  rules find no name, or to cut a place off the front of a name.
- ``katanya``/``ujarnya``/``Menurutnya`` and ``kata dia``/``ia``/``beliau`` take the most
  salient recent person within ``coref_window`` characters (speakers of earlier quotes and of
  reported speech outrank people in subject position, who outrank other mentions; two
  sentences of distance cost one level; a pronoun opening its sentence continues the named
  subject of the sentence before; with no speaker or subject that close, a speaker up to twice
  as far back), and point at that person's closest earlier mention (short
  or full, guidelines 4.2). A PERSON entity of words the text also writes in lower case is no
  antecedent. Unresolved → ``None`` (an explicit pronoun then stays the speaker).

The parts: ``patterns`` (word lists), ``marks`` (quotation marks), ``view`` (the per-document
arrays the rules read), ``speakers`` (speaker phrases), ``direct`` and ``indirect`` (the two
kinds of quotes), ``coreference`` (speakers found elsewhere in the text) and ``component``
(the spaCy component ``quote_finder``, registered on import).
"""

from annotator.nlp.quotes.component import QuoteFinder, find_quotes, make_quote_finder
from annotator.nlp.quotes.marks import pair_quote_marks
from annotator.nlp.quotes.patterns import PATTERNS_PATH, QuotePatterns, load_patterns
from annotator.nlp.quotes.view import doc_text

__all__ = ["PATTERNS_PATH", "QuotePatterns", "QuoteFinder", "doc_text", "find_quotes", "load_patterns",
           "make_quote_finder", "pair_quote_marks"]
