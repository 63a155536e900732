"""Compare each claim across its sources: who carries it, who is silent, what differs.

Details are compared per *slot*: a kind of detail about one kind of thing. Dates form one
slot; amounts and ordinals one slot per unit ("quantity:year", "quantity:soldier",
"ordinal:visit"); persons one slot per family ("name:kim"); quotes one slot (their
speakers). Two sources *differ* only when both state a slot and no value of one is
compatible with any value of the other ("2000" is compatible with "2000-07"; 2000-9999
soldiers with 10 000 soldiers; "Kim" with "Kim Jong-il", but "Kim Jong-un" not with "Kim
Jong-il"). In a slot, amounts and ordinals without a unit never differ (24 what?), and a
date stated as a start ("since 2006") is not held against the date of an event ("in
February 2022"). Names and quotes never make a claim *partial*: which names a sentence
spells out, or whether it quotes or paraphrases, is wording, not a detail withheld.

Beside the slots, the numbers of two sources are compared as a whole
(:func:`number_clashes`): all the numbers each states in digits, with a unit or without, are
paired off when they can be the same amount (equal, or a rounding, a unit conversion, a clock
time, a year and its century); when exactly one is left on each side, the others line up and
that one is the same detail stated differently ("832" / "708"), a ``number`` difference.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .dates import dates_compatible, parse_article_date
from .details import extract_all, with_context_speakers
from .names import name_similarity, names_compatible
from .quantities import amounts_compatible
from .types import (
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Sentence,
    TimelineEntry,
    Verdict,
)


def slot(detail: Detail) -> str | None:
    """The comparison slot of a detail ("date", "quantity:year", "name:kim"), or None when
    the detail is shown but not compared (places, organisations, persons without a family)."""
    if detail.kind in ("quantity", "ordinal"):
        return f"{detail.kind}:{detail.unit}" if detail.unit else detail.kind
    if detail.kind == "name":
        return f"name:{detail.note}" if detail.unit == "person" and detail.note else None
    return detail.kind


# A date "since" 2006 states when a state began; it is compared with other "since" and
# "ago" dates, never with the date of an event ("in February 2022"), which may be another's.
_UNCOMPARABLE_ROLES = {
    frozenset({"since", "absolute"}),
    frozenset({"since", "relative"}),
    frozenset({"since", "weekday"}),
}


def _role(value: str) -> tuple[str, str]:
    plain, _, role = value.partition("@")
    return plain, role


def _comparable(kind: str, a: str, b: str) -> bool:
    if kind != "date":
        return True
    return frozenset({_role(a)[1], _role(b)[1]}) not in _UNCOMPARABLE_ROLES


def _compatible(kind: str, a: str, b: str, unit: str | None = None) -> bool:
    a, b = _role(a)[0], _role(b)[0]
    if kind == "date":
        return dates_compatible(a, b)
    if kind in ("quantity", "ordinal", "number"):
        return amounts_compatible(a, b, unit)
    if kind == "name":
        return names_compatible(a, b)
    if kind == "quote":
        return "?" in (a, b) or names_compatible(a, b)
    return a == b


def _covers(kind: str, a: set[str], b: set[str], unit: str | None = None) -> bool:
    """Every value of ``a`` has a compatible value in ``b``."""
    return all(any(_compatible(kind, x, y, unit) for y in b) for x in a)


def _ordered_clash(kind: str, unit: str | None, a: list[str], b: list[str]) -> bool:
    """Two sentences that list the same number (2+) of one slot's values, in order ("38 and
    48 percent" / "77 and 48 percent"), clash when a value differs at its place."""
    if len(a) != len(b) or len(a) < 2:
        return False
    if _covers(kind, set(a), set(b), unit) and _covers(kind, set(b), set(a), unit):
        return False
    return any(
        not _compatible(kind, x, y, unit) and _comparable(kind, x, y)
        for x, y in zip(a, b, strict=True)
    )


# --- numbers compared as a whole, with or without a unit ----------------------------------

# Units translators convert, per dimension, by the words right after a number ("20 pēdas",
# "6 m", "80 grādus", "300-kilogramski", "°C"), and the ratios between them: mile, foot,
# inch, yard, nautical mile and the metric steps; pound, ounce; gallon, pint; acre, square
# mile. Temperatures convert by the formula (°F = 1.8 °C + 32, and differences by 1.8).
_MEASURES: tuple[tuple[str, str, tuple[float, ...]], ...] = (
    (
        "length",
        (
            r"[kcm]?m\b|km/h|ft\b|mi\b|mph\b|(?:kilo|centi|milli?|senti)?(?:metr|meetr)\w*|jūdz\w*|"
            r"jūdž\w*|milj[ae]?\b|mílu\w*|mylio\w*|mylių|miil\w*|pēd\w*|čevlj\w*|fet\b|feta\b|pėd\w*|"
            r"jalga\w*|coll\w*|colių|palc\w*|toll\w*|tomm\w*|jard\w*|yards?|inch\w*|feet|foot|miles?"
        ),
        (1.609344, 0.3048, 2.54, 0.9144, 1.852, 10, 100, 1000),
    ),
    (
        "weight",
        (
            r"kg\b|g\b|t\b|lbs?\b|oz\b|mārciņ\w*|funt\w*|pund\w*|svar(?:ų|ai|us|o|as)\b|nael\w*|"
            r"(?:kilo)?gram\w*|tonn\w*|tons?\b|unc\w*|ounces?|pounds?"
        ),
        (0.45359, 28.35, 1000),
    ),
    ("temperature", r"°|grād\w*|stopin\w*|gráð\w*|laipsn\w*|kraad\w*|degrees?", ()),
    ("volume", r"l\b|litr\w*|liit\w*|gall?on\w*|gallo\w*|pint\w*", (3.785, 0.568, 1000)),
    ("area", r"ha\b|km²|hektār\w*|hektar\w*|akr\w*|aker\w*|acres?", (0.4047, 2.59, 100)),
)
_MEASURE_RES = tuple(
    (kind, re.compile(r"[-\s\u00a0(~]*(?:" + pattern + r")(?!\w)", re.IGNORECASE), factors)
    for kind, pattern, factors in _MEASURES
)
_FACTORS = {kind: factors for kind, _, factors in _MEASURES}


# Money ("$", "€", "USD", "eurot", "dolāru", "svarų"): a sum in cents against a whole sum
# is a currency conversion (26 750 dollars as 23 585,88 euros).
_MONEY_RE = re.compile(
    r"[$€£]|\b(?:USD|EUR|GBP)\b|\b(?:eur|eir|evr|dol[aāe]r|dollar|doler|pund|funt|svar|nael|mārciņ)\w*",
    re.IGNORECASE,
)
# A clock ("ob 13. uri", "klukkan 1 eftir hádegi", "1 p.m."): hours may be on a 12-hour dial.
_CLOCK_RE = re.compile(
    r"\b(?:plkst|pulksten\w*|ur[aeio]|ob|klukkan|kl|kell\w*|val|p\.\s?m|a\.\s?m|o'clock)\b",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Number:
    """A number a sentence states: its value (a clock time "19:30" also reads as 19.30), the
    unit found with it, half its last written digit's place (its rounding), whether its
    sentence gives a measure (so it may be converted), whether it is an ordinal, and whether
    it may stand unmatched (``spare``: written in words, or part of a start or relative date).
    """

    value: float
    time: str | None
    unit: str | None
    precision: float
    measure: frozenset[str]
    ordinal: bool
    spare: bool
    text: str
    money: bool = False
    clock: bool = False

    @property
    def year_like(self) -> bool:
        return self.time is None and self.value == int(self.value) and 1900 <= self.value <= 2100


def _precision(value: str) -> float:
    """Half the place of the last written digit: "2.7" -> 0.05, "7" and "300" -> 0.5."""
    return 0.5 * 10.0 ** -len(value.split(".")[1]) if "." in value else 0.5


def _digits_end(text: str) -> int:
    """Where the number written in digits at the start of ``text`` ends ("198-centimetrski")."""
    m = re.match(r"\D*\d[\d \u00a0.,:]*", text)
    return len(m[0].rstrip(" \u00a0.,:")) if m else len(text)


def _numbers(sentence: str, details: Sequence[Detail]) -> list[_Number]:
    """The numbers of a sentence: amounts and ordinals, and the digits of its dates."""
    from .details import _value

    measure = frozenset(
        kind
        for d in details
        if d.kind in ("quantity", "ordinal") and any(c.isdigit() for c in d.text)
        for kind, pattern, _ in _MEASURE_RES
        if pattern.match(sentence, d.start + _digits_end(d.text))
    ) | ({"length"} if any(d.unit == "km" for d in details) else set())
    money = _MONEY_RE.search(sentence) is not None
    clock = _CLOCK_RE.search(sentence) is not None
    out: list[_Number] = []
    for d in details:
        digits = any(c.isdigit() for c in d.text)
        if d.kind in ("quantity", "ordinal") and re.fullmatch(r"\d+(?:\.\d+)?(?::\d{2})?", d.value):
            time = d.value if d.unit == "time" else None
            plain = float(d.value.replace(":", "."))
            written = re.search(r"\d[\d \u00a0.,]*", d.text)
            precision = _precision(d.value.replace(":", "."))
            canonical = _value(written[0].rstrip(" \u00a0.,")) if written else ""
            if time is None and re.fullmatch(r"\d+(?:\.\d+)?", canonical):
                raw = float(canonical)  # "20" of "20 miljoni": 20 000 000 rounded to millions
                precision = _precision(canonical) * (plain / raw if raw else 1)
            glued = re.search(r"\d-?[^\W\d_]", d.text) is not None and d.unit is None  # "4-ame"
            out.append(
                _Number(
                    plain,
                    time,
                    d.unit,
                    precision,
                    measure,
                    d.kind == "ordinal" or glued,
                    not digits,
                    d.text,
                    money,
                    clock,
                )
            )
        elif d.kind == "date" and digits:
            for m in re.finditer(r"\d+", d.text):
                out.append(
                    _Number(
                        float(m[0]),
                        None,
                        None,
                        0.5,
                        frozenset(),
                        False,
                        d.note not in ("absolute", None),
                        m[0],
                    )
                )
    return out


def _numbers_compatible(x: _Number, y: _Number) -> bool:
    """Whether two numbers can be the same amount: equal (a clock time "19:30" and "19.30"),
    a multiple of a thousand apart ("20 miljoni" and "20 mln."), one a rounding of the other
    (294.65 and 300), in a sentence with a measure a unit conversion or within 10% (20 feet
    and 6.1 m, 80 °F and 27 °C, 85 mph as 136 and 137 km/h), or a year and what else names
    it (a number of years since or ago, its century "21. stoletje", its decade "níundi
    áratugurinn", its last two digits "1950-53")."""
    if x.time and y.time:
        return x.time == y.time
    if abs(x.value - y.value) < 1e-9:
        return True
    lo, hi = sorted((abs(x.value), abs(y.value)))
    if (x.clock or y.clock or x.time or y.time) and hi - lo == 12 and hi <= 24:
        return True  # 1 p.m. and 13.00
    if x.time or y.time:
        return False
    if (
        (x.money or y.money)
        and lo * 2 >= hi >= 100
        and any(round(n.value * 100) % 100 and n.precision == 0.005 for n in (x, y))
        and any(n.value == int(n.value) for n in (x, y))
    ):
        return True
    for year, other in ((x, y), (y, x)):
        if year.year_like and other.value == int(other.value) and not other.year_like:
            n = int(other.value)
            if other.unit in ("year", "decade") or n == int(year.value) % 100 and n >= 10:
                return True
            if other.ordinal and n in (int(year.value) // 100 + 1, int(year.value) % 100 // 10 + 1):
                return True
    if lo and any(abs(hi / lo - 1000**k) < 1e-6 * 1000**k for k in (1, 2, 3)):
        return True
    coarse, fine = sorted((x, y), key=lambda n: n.precision, reverse=True)
    if coarse.precision > fine.precision and abs(x.value - y.value) <= min(
        coarse.precision, 0.05 * hi
    ):
        return True
    measures = x.measure | y.measure
    if measures and hi - lo <= 0.1 * hi:
        return True
    for a, b in ((x, y), (y, x)):
        for f in (f for kind in measures for f in _FACTORS[kind]):
            for converted, spread in (
                (a.value * f, a.precision * f),
                (a.value / f, a.precision / f),
            ):
                if abs(converted - b.value) <= _slack(b, spread):
                    return True
        if "temperature" in measures and any(
            abs(c - b.value) <= max(_slack(b, a.precision * 1.8), 1)
            for c in (a.value * 1.8 + 32, a.value * 1.8)
        ):
            return True
    return False


def _slack(b: _Number, spread: float) -> float:
    """How far a converted amount may land from ``b``: 5%, or the rounding of either side
    ("1 cm" is 5-15 mm)."""
    return max(0.05 * abs(b.value), b.precision, spread)


def _unmatched(a: list[_Number], b: list[_Number]) -> tuple[list[_Number], list[_Number]]:
    """The numbers of ``a`` and ``b`` left when compatible ones are paired off, equal first."""
    left_a, left_b = list(a), list(b)
    for same in (True, False):
        for x in list(left_a):
            y = next(
                (
                    y
                    for y in left_b
                    if (abs(x.value - y.value) < 1e-9 and x.time == y.time)
                    or (not same and _numbers_compatible(x, y))
                ),
                None,
            )
            if y is not None:
                left_a.remove(x)
                left_b.remove(y)
    return [x for x in left_a if not x.spare], [y for y in left_b if not y.spare]


def number_clashes(numbers: dict[str, list[_Number]]) -> dict[str, list[_Number]]:
    """The numbers that differ between the sources of a claim, per source.

    Two sources clash when, once each number of one is paired with an equal or compatible
    number of the other, exactly one number written in digits is left on each side: the
    others line up, so the odd one is the same detail stated differently ("832" / "708",
    "19-letna" / "37 metų"). Numbers one side gives and the other does not are not a clash.
    """
    out: dict[str, list[_Number]] = {}
    names = sorted(numbers)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            left_a, left_b = _unmatched(numbers[a], numbers[b])
            if len(left_a) == 1 and len(left_b) == 1:
                for side, left in ((a, left_a), (b, left_b)):
                    if left[0] not in out.setdefault(side, []):
                        out[side].append(left[0])
    return out


_NAME_ALIKE = 50.0  # a name this alike may be the other's spelling in another language
_NAME_SAME = 80.0  # a name this alike is the same name
_NAME_WITNESSES = 3


def name_swaps(
    names: dict[str, list[Detail]], langs: dict[str, str], elsewhere: dict[str, list[Detail]]
) -> dict[str, list[Detail]]:
    """Names a source gives where the others agree on a different name, per source.

    Source A has swapped a name when every other source gives a name N alike
    (:func:`~factcmp.names.name_similarity` 80+: "Goldsmith", "Goldsmithas", "Goldsmita"),
    A gives nothing like N here, but writes N in another of its sentences (``elsewhere``: so
    its language keeps the name and does not translate it), and gives instead exactly one name
    like none of the others' ("Instagram"). The others' N is reported too. A name only one
    side gives, or one a language translates as words ("Glæpalínan" for "Crimestoppers"),
    is not a swap.
    """
    out: dict[str, list[Detail]] = {}

    def sim(x: Detail, ax: str, y: Detail, ay: str) -> float:
        return name_similarity(x.text, y.text, langs[ax], langs[ay])

    for a, mine in names.items():
        others = [b for b in names if b != a]
        if len(others) < _NAME_WITNESSES or any(len(names[b]) != len(mine) for b in others):
            continue
        odd = [
            x for x in mine if all(sim(x, a, y, b) < _NAME_ALIKE for b in others for y in names[b])
        ]
        if len(odd) != 1:
            continue
        first = others[0]
        place = mine.index(odd[0])
        for n in names[first][place : place + 1]:
            if any(sim(x, a, n, first) >= _NAME_ALIKE for x in mine):
                continue
            same = {first: n}
            for b in others[1:]:
                if sim(n, first, names[b][place], b) >= _NAME_SAME:
                    same[b] = names[b][place]
            if len(same) == len(others) and any(
                sim(x, a, n, first) >= _NAME_SAME for x in elsewhere.get(a, [])
            ):
                out.setdefault(a, []).append(odd[0])
                for b, y in same.items():
                    if y not in out.setdefault(b, []):
                        out[b].append(y)
                break
    return out


def verdict_for(
    articles: Sequence[str],
    by_kind: dict[str, dict[str, set[str]]],
    ordered: dict[str, dict[str, list[str]]] | None = None,
) -> tuple[Verdict, tuple[DetailDiff, ...]]:
    """The verdict on one claim from the details each of its articles states, per slot.

    - ``unique``: one article carries the claim.
    - ``differ``: two articles state the same slot with no compatible values.
    - ``partial``: no such clash, but some detail is stated by only some of the articles.
    - ``agree``: every detail is stated alike by every article (or none states any).

    ``ordered`` optionally gives, per slot, the values of articles that carry the claim in
    one sentence, in sentence order (see :func:`_ordered_clash`).
    """
    if len(articles) < 2:
        return "unique", ()
    diffs: list[DetailDiff] = []
    one_sided = False
    for key in sorted(by_kind):
        kind, _, unit = key.partition(":")
        per_article = by_kind[key]
        stated = sorted(per_article)
        can_differ = not (kind in ("quantity", "ordinal") and not unit)
        can_be_partial = kind not in ("name", "quote")
        clash = can_differ and any(
            not any(_compatible(kind, x, y, unit) for x in per_article[a] for y in per_article[b])
            and any(_comparable(kind, x, y) for x in per_article[a] for y in per_article[b])
            for i, a in enumerate(stated)
            for b in stated[i + 1 :]
        )
        lists = (ordered or {}).get(key, {})
        clash = (
            clash
            or can_differ
            and any(
                _ordered_clash(kind, unit or None, lists[a], lists[b])
                for i, a in enumerate(stated)
                for b in stated[i + 1 :]
                if a in lists and b in lists
            )
        )
        if clash:
            diffs.append(
                DetailDiff(
                    kind=kind,  # type: ignore[arg-type]
                    values={
                        a: tuple(sorted({_role(v)[0] for v in per_article[a]})) for a in stated
                    },
                    unit=unit or None,
                )
            )
        elif can_be_partial and (
            len(per_article) < len(articles)
            or not all(
                _covers(kind, per_article[a], per_article[b], unit) for a in stated for b in stated
            )
        ):
            one_sided = True
    if diffs:
        return "differ", tuple(diffs)
    return ("partial" if one_sided else "agree"), ()


def _fmt(n: _Number) -> str:
    return n.time or (str(int(n.value)) if n.value == int(n.value) else f"{n.value:.12g}")


def _sort_date(article: Article) -> tuple[int, int, int, int]:
    y, m, d = parse_article_date(article.date)
    return (0, y, m or 0, d or 0) if y is not None else (1, 0, 0, 0)


def compare(
    articles: Sequence[Article], sentences: Sequence[Sentence], claims: Sequence[Claim]
) -> list[Finding]:
    """One :class:`Finding` per claim, in the order of ``claims``.

    Details are read with each article's language and resolved against its date.
    """
    by_id = {s.id: s for s in sentences}
    meta = {a.id: a for a in articles}
    details: dict[str, tuple[Detail, ...]] = {}
    for s in sentences:
        article = meta[s.article_id]
        details[s.id] = extract_all(s.text, article.lang, article.date)
    for article_id in meta:
        ids = sorted((s.index, s.id) for s in sentences if s.article_id == article_id)
        resolved = with_context_speakers([details[sid] for _, sid in ids])
        details.update({sid: d for (_, sid), d in zip(ids, resolved)})
    order = [a.id for a in articles]
    chrono = sorted(articles, key=lambda a: (_sort_date(a), order.index(a.id)))
    article_sentences: dict[str, list[str]] = {a: [] for a in meta}
    for s in sentences:
        article_sentences[s.article_id].append(s.id)
    findings = []
    for claim in claims:
        carrying = {by_id[sid].article_id for sid in claim.members}
        carried = tuple(a for a in order if a in carrying)
        members: dict[str, list[str]] = {a: [] for a in carried}
        for sid in claim.members:
            members[by_id[sid].article_id].append(sid)
        by_slot: dict[str, dict[str, set[str]]] = {}
        in_order: dict[str, dict[str, list[str]]] = {}
        words: dict[str, dict[str, list[str]]] = {}
        count = {a: sum(by_id[sid].article_id == a for sid in claim.members) for a in carrying}
        for sid in claim.members:
            carrier = by_id[sid].article_id
            for detail in details[sid]:
                key = slot(detail)
                if key is None:
                    continue
                value = f"{detail.value}@{detail.note}" if detail.kind == "date" else detail.value
                if detail.kind == "quote" and detail.note == "context":
                    value = "?"  # a speaker guessed from earlier sentences is shown, not compared
                by_slot.setdefault(key, {}).setdefault(carrier, set()).add(value)
                if count[carrier] == 1:
                    in_order.setdefault(key, {}).setdefault(carrier, []).append(value)
                said = words.setdefault(key, {}).setdefault(carrier, [])
                if detail.text not in said:
                    said.append(detail.text)
        verdict, diffs = verdict_for(carried, by_slot, in_order)
        if not any(d.kind in ("date", "quantity", "ordinal") for d in diffs):
            numbers: dict[str, list[_Number]] = {}
            for sid in claim.members:
                numbers.setdefault(by_id[sid].article_id, []).extend(
                    _numbers(by_id[sid].text, details[sid])
                )
            clashes = number_clashes(numbers)
            if clashes:
                verdict = "differ"
                diffs = (
                    *diffs,
                    DetailDiff(
                        kind="number",
                        values={
                            a: tuple(_fmt(n) for n in clashes[a]) for a in carried if a in clashes
                        },
                        texts={
                            a: tuple(n.text for n in clashes[a]) for a in carried if a in clashes
                        },
                    ),
                )
        if not any(d.kind == "name" for d in diffs):
            in_claim = set(claim.members)
            names = {
                a: [d for sid in members[a] for d in details[sid] if d.kind == "name"]
                for a in carried
            }
            elsewhere = {
                a: [
                    d
                    for sid in article_sentences[a]
                    if sid not in in_claim
                    for d in details[sid]
                    if d.kind == "name"
                ]
                for a in carried
            }
            swapped = name_swaps(names, {a: meta[a].lang for a in carried}, elsewhere)
            if swapped:
                verdict = "differ"
                diffs = (
                    *diffs,
                    DetailDiff(
                        kind="name",
                        values={
                            a: tuple(d.value for d in swapped[a]) for a in carried if a in swapped
                        },
                        texts={
                            a: tuple(d.text for d in swapped[a]) for a in carried if a in swapped
                        },
                    ),
                )
        diffs = tuple(
            d
            if d.texts
            else dataclasses.replace(
                d,
                texts={
                    a: tuple(words[f"{d.kind}:{d.unit}" if d.unit else d.kind][a]) for a in d.values
                },
            )
            for d in diffs
        )
        first = next((a.id for a in chrono if a.id in carrying and a.date), None)
        findings.append(
            Finding(
                claim=claim,
                articles=carried,
                silent=tuple(a for a in order if a not in carrying),
                verdict=verdict,
                differences=diffs,
                details={sid: details[sid] for sid in claim.members},
                first_seen=first,
            )
        )
    return findings


def build_timeline(
    articles: Sequence[Article], findings: Sequence[Finding]
) -> tuple[TimelineEntry, ...]:
    """The articles in date order (undated last), each with the claims it carries and the
    claims it is the first (earliest dated) to carry."""
    order = [a.id for a in articles]
    chrono = sorted(articles, key=lambda a: (_sort_date(a), order.index(a.id)))
    return tuple(
        TimelineEntry(
            article=a.id,
            date=a.date,
            claims=tuple(f.claim.id for f in findings if a.id in f.articles),
            new_claims=tuple(f.claim.id for f in findings if f.first_seen == a.id),
        )
        for a in chrono
    )
