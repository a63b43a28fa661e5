"""British and American spellings folded to one form: `haemoglobin` finds `hemoglobin`.

Applied to every prose word at index time and query time (search.analysis.prose_term), so
either spelling finds both. The folded form is the American one. Rules, each with the words
it must leave alone (docs/query-language.md lists them):

- ae → e in the Greek- and Latin-derived stems medicine writes both ways (haem-, -aemia,
  paed-, aetiol-, anaes-, faec-, gynaec-, orthopaed-, caes-, haemat-; `aerobic` keeps its ae);
- oe → e in oedema, oesophagus, oestrogen, foetus, coeliac, manoeuvre, diarrhoea, dyspnoea,
  apnoea, amenorrhoea (as stems, not as letters: `poem`, `shoe`, `does` keep theirs);
- -our → -or after a consonant (behaviour, tumour, colour, labour, with -al, -ed, -ing, -s,
  -ite, -able), except the words spelt -our in American English too (four, hour, pour, your,
  tour, flour, detour, contour, devour, glamour…);
- -re → -er after b, c, d, g, t (fibre, centre, litre, titre, calibre, meagre) with -s and -d,
  except acre, massacre, mediocre, ogre, lucre, nacre, cadre, padre, timbre, chancre…;
- -ise → -ize and -yse → -yze with their families (-ised, -ising, -isation, -iser; analysed,
  paralysing), except the words spelt -ise in American English too (exercise, advise, revise,
  supervise, comprise, promise, surprise, precise, otherwise, expertise…);
- grey → gray, and a short list of single words (programme, catalogue, ageing, sulphur, …).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Stems with ae or oe that medicine writes both ways: (British, American).
_STEMS = (
    ("haem", "hem"),
    ("aemia", "emia"),
    ("aemic", "emic"),
    ("paed", "ped"),
    ("aetiol", "etiol"),
    ("anaes", "anes"),
    ("faec", "fec"),
    ("gynaec", "gynec"),
    ("caes", "ces"),
    ("oedem", "edem"),
    ("oesophag", "esophag"),
    ("oestr", "estr"),
    ("foet", "fet"),
    ("coeli", "celi"),
    ("manoeuv", "maneuv"),
    ("rrhoea", "rrhea"),
    ("pnoea", "pnea"),
    ("leucocyt", "leukocyt"),
    ("leucaem", "leukem"),
    ("leukaem", "leukem"),
    ("aesthe", "esthe"),
    ("ischaem", "ischem"),
    ("hyperaem", "hyperem"),
    ("septicaem", "septicem"),
    ("glycaem", "glycem"),
    ("orthopaed", "orthoped"),
    ("encyclopaed", "encycloped"),
)
_STEM_PATTERN = re.compile("|".join(sorted((b for b, _ in _STEMS), key=len, reverse=True)))
_STEM_MAP = dict(_STEMS)

# Single words with no rule to cover them.
_WORDS = {
    "grey": "gray",
    "greys": "grays",
    "greyish": "grayish",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "dialogue": "dialog",
    "analogue": "analog",
    "analogues": "analogs",
    "ageing": "aging",
    "sulphur": "sulfur",
    "sulphate": "sulfate",
    "sulphates": "sulfates",
    "sulphide": "sulfide",
    "mould": "mold",
    "moulds": "molds",
    "plough": "plow",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "licence": "license",
    "practise": "practice",
    "practised": "practiced",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "aluminium": "aluminum",
    "oestrogen": "estrogen",
    "oestrogens": "estrogens",
    "tyre": "tire",
    "cheque": "check",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "haemoglobin": "hemoglobin",
}

_OUR = re.compile(r"^(.*[^aeou\W])our(s|al|ally|ed|ing|ite|ites|able|ably|less|ful|er|ers)?$")
_OUR_KEPT = frozenset(
    {
        "four",
        "hour",
        "pour",
        "your",
        "tour",
        "sour",
        "flour",
        "dour",
        "scour",
        "detour",
        "contour",
        "devour",
        "amour",
        "velour",
        "glamour",
        "troubadour",
        "paramour",
        "tambour",
        "contre",
        "yours",
    }
)
_RE = re.compile(r"^(.+[bcdgt])re(s|d)?$")
_RE_KEPT = frozenset(
    {
        "acre",
        "massacre",
        "mediocre",
        "ogre",
        "lucre",
        "nacre",
        "cadre",
        "padre",
        "timbre",
        "chancre",
        "wiseacre",
        "sucre",
        "macabre",
        "genre",
        "hatre",
        "sacre",
        "kindre",
        "hundre",
        "cre",
    }
)
_ISE = re.compile(r"^(.{2,}?)is(e|es|ed|ing|ation|ations|ational|er|ers|able)$")
# Stems (what comes before -ise) of words spelt -ise in American English too.
_ISE_KEPT = frozenset(
    {
        "exerc",
        "adv",
        "advert",
        "dev",
        "rev",
        "superv",
        "telev",
        "improv",
        "compr",
        "comprom",
        "dem",
        "desp",
        "disgu",
        "enterpr",
        "expert",
        "franch",
        "merchand",
        "parad",
        "prem",
        "prom",
        "surm",
        "surpr",
        "treat",
        "chast",
        "pra",
        "bru",
        "cru",
        "gu",
        "an",
        "torto",
        "porpo",
        "mort",
        "val",
        "repr",
        "appr",
        "bra",
        "chem",
        "otherw",
        "likew",
        "clockw",
        "lia",
        "prec",
        "conc",
        "exc",
        "inc",
        "circumc",
        "ar",
        "ra",
        "no",
        "po",
        "w",
        "r",
        "cr",
        "m",
        "v",
        "ch",
        "den",
        "remi",
        "rem",
        "upr",
        "sunr",
        "moonr",
        "highr",
        "elongw",
        "lengthw",
        "crossw",
        "edgew",
        "streetw",
        "mid",
        "ther",
        "the",
    }
)
_YSE = re.compile(r"^(.{2,}?)ys(e|es|ed|ing|er|ers)$")


@lru_cache(maxsize=200_000)
def american(word: str) -> str:
    """Return the American spelling of a folded word (the word itself when it has none)."""
    if not word.isalpha() or len(word) < 4:
        return word
    known = _WORDS.get(word)
    if known is not None:
        return known
    if "ae" in word or "oe" in word or "leuc" in word:
        word = _STEM_PATTERN.sub(lambda m: _STEM_MAP[m.group()], word)
    m = _OUR.match(word)
    if m and f"{m.group(1)}our" not in _OUR_KEPT and not m.group(1).endswith("h"):
        return f"{m.group(1)}or{m.group(2) or ''}"
    m = _RE.match(word)
    if m and f"{m.group(1)}re" not in _RE_KEPT:
        return f"{m.group(1)}er{'ed' if m.group(2) == 'd' else m.group(2) or ''}"
    m = _ISE.match(word)
    if m and m.group(1) not in _ISE_KEPT:
        return f"{m.group(1)}iz{m.group(2)}"
    m = _YSE.match(word)
    if m and len(m.group(1)) >= 3:
        return f"{m.group(1)}yz{m.group(2)}"
    return word
