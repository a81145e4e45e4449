"""Keyword safety net: spot a message that says someone may be in danger.

The NLU model has a ``crisis`` intent, but a statistical model can miss a
phrasing it never saw, and a missed sign that a child is in danger is the
worst failure this assistant can have. So every message is also checked
against these patterns (by ``addons/crisis_safety_net.py`` inside the Rasa
server's NLU pipeline); a match turns the message into ``crisis`` whatever the
model thought.

The patterns lean towards catching too much: a family who gets the crisis
numbers by mistake loses a moment, while a missed crisis can cost a life. They
avoid the few everyday SEND phrases that would misfire ("the plan is missing
section F", "he keeps missing school").
"""
from __future__ import annotations

import re
import sys
import unicodedata
from typing import Pattern

_PATTERNS = [
    # suicide and self-harm, including common misspellings
    r"\bsu[iy]?[cs]+[iy]?d",
    r"\bkill?\w* (?:him|her|my|them|your|our|it)sel(?:f|ves)\b",
    r"\b(?:end|ending|take|taking|took) (?:his|her|my|their|your|our) (?:own )?li(?:fe|ves)\b",
    r"\bself ?harm",
    r"\b(?:cut|cuts|cutting|hurt|hurts|hurting|harm|harms|harming|burn|burns|burning|starv\w+|strangl\w+|hang\w*) (?:him|her|my|them|your|our)sel(?:f|ves)\b",
    r"\bcut(?:s|ting)? (?:his|her|my|their) (?:arms?|legs?|wrists?|skin|thighs?)\b",
    r"\b(?:want|wants|wanted|wanting|wanna|trying|tried|going|threaten\w*|talk\w* about|says? (?:he|she|they) wants?) (?:to )?die\b",
    r"\b(?:doesnt|dont|didnt|does not|do not|not|no longer|never) (?:want|wants|wanna) (?:to )?(?:be here|be alive|live|exist|wake up|be around)",
    r"\bbetter off (?:dead|without (?:me|him|her|us))\b",
    r"\bwish(?:es|ed)? (?:he|she|i|they)(?: was| were| had)? (?:dead|never been born)",
    r"\bend(?:ing)? it all\b",
    r"\b(?:wants?|going|trying|tried|threaten\w*|planning how|how|ways|might as well|gonna|wanna) to end it\b",
    r"\bmight as well end it\b",
    r"\b(?:ways|how) to (?:die|kill (?:my|him|her|them)sel\w+)\b",
    r"\b(?:no|dont see the|cant see the|see no|whats the|wats the) point (?:in |of |to )?(?:me )?"
    r"(?:living|being here|being alive|life|anything|going on)\b",
    r"\b(?:and|to) (?:never|not) wake up\b",
    r"\bif (?:i|he|she) (?:was|were) gone\b",
    r"\bif (?:i|he|she) (?:wasnt|werent|was not|were not) (?:here|around)\b",
    r"\b(?:im|i am|shes|hes|she is|he is|being|feels? like) a burden\b",
    r"\b(?:left a note|suicide note|goodbye (?:notes?|letters?|messages?)|saying goodbye and sorry)\b",
    r"\b(?:pills|tablets|meds|medication) lined up\b",
    r"\bdriv\w* (?:it |the car |my car )?into (?:a|the) (?:wall|tree|lorry|river|canal)\b",
    r"\bdo something stupid\b",
    r"\bvoices telling (?:him|her|me|them)\b",
    r"(?<!of our )(?<!of my )(?<!of the )\brope\b",
    r"\b(?:cant|cannot|can not) go on\b",
    r"\bnot worth living\b",
    r"\boverdos\w*\b(?! on (?:paperwork|forms|emails|meetings))",
    r"\b(?:took|taken|swallowed|swallow)\b.{0,25}\b(?:pills|tablets|paracetamol|bleach)\b",
    r"\bthreat\w* to (?:jump|kill|hurt|harm|cut|stab)\b",
    r"\bjump(?:ing|ed)? (?:off|in front)\b",
    r"\b(?:noose|ligature)\b",
    r"\b(?:stockpil\w*|hoard\w*|saving up|saved up) (?:my |his |her |their )?(?:meds|medication|pills|tablets)\b",
    r"\b(?:cant|cannot|can not|dont think i can|dont think he can|dont think she can) keep going\b",
    r"\b(?:on|at) the (?:edge|bridge|roof|railway|train tracks?|tracks)\b.{0,40}\b(?:wont|will not|refus\w*) (?:come|get) (?:down|back|off)\b",
    r"\b(?:hasnt|has not|havent|have not|not) (?:had anything|eaten|eaten anything|drunk anything|drank anything) (?:in|for) (?:\d+|two|three|four|five|six|seven|days)\b",
    r"\bstopped (?:eating|drinking) (?:altogether|completely|for days)\b",
    r"\b(?:kms|kys)\b",
    r"\b(?:cant|cannot) do this (?:any ?more|any longer)\b",
    r"\b(?:dont|do not|scared to|afraid to|too scared to) (?:want to )?go home\b",
    r"\b(?:older (?:men|man|lads|boys|guys)|county lines|being exploited|exploitation|exploiting (?:him|her|them))\b",
    r"\b(?:thinking about|thought about|think about|thinking of|thought of) (?:ending it|ending my life|ending things|dying|not being here)\b",
    r"\b(?:no|whats|wats|dont see the) point (?:of|in) me\b",
    r"\b(?:grown (?:man|men|woman|adult)|adult man)\b",
    r"\b(?:go|going|goes|went|gone) off with (?:men|older|a man|strangers|adults)\b",
    r"\bmen in cars\b",
    r"\bwants? to meet (?:her|him|me|them) (?:tonight|alone|in person|on (?:her|his) own)\b",
    r"\b(?:taken|took|swallowed|necked|downed)\b.{0,25}\b(?:meds|medication|sertraline|fluoxetine|citalopram|"
    r"paracetamol|ibuprofen|melatonin|insulin|antidepressants?|sleeping pills)\b",
    r"\b(?:left|leaves|leaving) (?:\w+ )?(?:on (?:his|her|their|our|my) own|alone|home alone) for "
    r"(?:days|hours|the weekend|the night)\b",
    r"\b(?:left|leaves|leaving) (?:\w+ )?(?:on (?:his|her|their|our|my) own|alone|home alone) (?:at night|overnight|all night)\b",
    r"\bno food or (?:electric|electricity|heating|gas|money)\b",
    r"\b(?:scratch\w*|cut\w*|slash\w*|pick\w*) (?:at )?(?:his|her|my|their) (?:wrists?|arms?|thighs?)\b",
    r"\b(?:till|until) (?:they|it|he|she) (?:bleeds?|bled)\b",
    r"\b(?:nobody|no one|noone|dont|do not|we dont) knows? where (?:he|she|they|my \w+) (?:is|are)\b",
    r"\b(?:slap|slaps|slapped|slapping)\b",
    # medical emergencies
    r"\bseizure\b.{0,20}\b(?:wont stop|will not stop|hasnt stopped|has not stopped|didnt stop|not stopping|still going)\b",
    r"\b(?:slurring|hypo|barely responding|barely conscious|barely breathing)\b",
    r"\bswallowed\b.{0,30}\b(?:batter(?:y|ies)|magnets?|bleach|chemicals?|coins?|detergent|pods?)\b",
    r"\b(?:hasnt|has not|havent|have not|not) (?:eaten|drunk|drank)\b.{0,25}\b(?:in|for) (?:\d+|two|three|four|five|days)\b",
    r"\bunalive\w*\b",
    r"\bgiving (?:all )?(?:his|her|my|their) (?:\w+ )?(?:stuff|things|belongings|possessions|games|clothes) away\b",
    r"\b(?:fitting|seizing) for (?:over|more than)\b",
    r"\b(?:banged|hit|bumped) (?:his|her|their|my) head\b.{0,50}\b(?:sick|sleepy|drowsy|unconscious|bleeding|confused)\b",
    r"\b(?:collapsed|choking|turning blue|gone blue|going blue|cant breathe|cannot breathe|struggling to breathe)\b",
    r"\b(?:really|very|so) (?:drowsy|sleepy)\b.{0,40}\b(?:pills|tablets|meds)\b|\b(?:pills|tablets|meds)\b.{0,60}\b(?:really|very|so) (?:drowsy|sleepy)\b",
    # a missing child
    r"\b(?:he|she|son|daughter|child|kid|boy|girl|they|hes|shes|theyre|old|teen|teenager)"
    r"(?: is| has| have| are| has been| is still| went| has gone| have gone| gone| been)? missing\b"
    r"(?! (?:school|out|lessons?|class\w*|sessions?|support|education|days?|weeks?|hours?|provision|"
    r"therapy|from|his|her|their|the|a|an|some|so|too|lots?|it|appointments?|section|reports?|"
    r"information|half|most|every|all|lunch|meals?|breakfast|loads)\b)",
    r"\breported (?:him|her|them|my \w+) missing\b",
    r"\b(?:ran|run) (?:away|off)\b(?! (?:with|from (?:tasks?|work|class|lessons?|the classroom|school work)|at (?:break|lunch|play)))",
    r"\b(?:been gone|gone|not been seen) since (?:yesterday|last night|this morning|\w+day)\b",
    r"\b(?:cant|cannot) find (?:him|her|them|my|our|the) ?(?:son|daughter|child|kid|boy|girl|grandson|granddaughter)?\b",
    r"\b(?:hasnt|has not|didnt|did not|not) (?:come|came|been) (?:back )?home\b",
    # abuse, violence, danger, someone hurt
    r"\babus(?:e|ed|es|ing)\b(?! (?:the|their|its|of) (?:system|power|position|process|authority))",
    r"\bviolence\b",
    r"\b(?:sexual(?:ly)? (?:abus\w*|assault\w*)|raped?|molest\w*|groom(?:ed|ing))\b",
    r"\btouch(?:es|ed|ing) (?:her|him|me|my \w+)\b",
    r"\b(?:hit|hits|hitting|beats|beating|beat|kicks|kicking|kicked|punch\w*|chok\w*|strangl\w*|batter\w*|"
    r"attack\w*|hurt|hurts|hurting|harm|harming|push\w*|shov\w*|restrain\w*|went for) "
    r"(?:him|her|me|us|them|my \w+|the kids|the children)\b"
    r"(?! targets?\b| with (?:delays?|paperwork|forms|emails|letters|demands|questions|bills|jargon))",
    r"\block\w* (?:him|her|me|us|them|my \w+(?: \w+)?) in\b",
    r"\bthreat\w* (?:us|me|him|her|them|my \w+|to (?:jump|kill|hurt|harm|cut|stab))\b",
    r"\b(?:been|is|im|was|badly|seriously) (?:hurt|injured)\b",
    r"\b(?:bleeding|bleeds|bled)\b",
    r"\bblood\b(?! (?:tests?|results?|sugars?|pressure|work|samples?|is boiling|boils|boiling))",
    r"\bnot (?:responding|breathing|conscious|waking up)\b",
    r"\b(?:unconscious|unresponsive)\b",
    r"\b(?:a burn|burns on|burn marks?|sores all over)\b",
    r"\b(?:being|is|was|been) neglected\b",
    r"\b(?:no food (?:in the house|all day|for days)|with no food|doesnt feed|dont feed|not (?:being |been )?fed)\b",
    r"\b(?:left|leaves|leaving) (?:on (?:his|her|their) own|alone) for days\b",
    r"\bhiding (?:from|upstairs|in the)\b",
    r"\b(?:bruises|bruised|bruising)\b",
    r"\bleft (?:red |bruise )?marks\b",
    r"\b(?:black eye|red marks?|marks? on (?:his|her|their) (?:neck|arms?|legs?|face|back|scalp))\b",
    r"\b(?:drag\w*|pulled|yanked|grabbed|shook|shaking|slapped|throttled) (?:him|her|them|me|(?:my|our|his|her) \w+)?\s?(?:by the (?:hair|arm|neck|throat)|into|out of|across)\b",
    r"\b(?:slapped|throttled|shook) (?:him|her|them|me|my \w+)\b",
    r"\b(?:takes|taking|took|stealing|steals|stole) (?:his|her|their|my) (?:money|benefits|bank card|pip)\b",
    r"\b(?:non mol|non molestation|restraining) order\b",
    r"\b(?:walk out and leave (?:them|the kids|the children|him|her)|frightened myself|scared myself|lose control (?:of myself )?and)\b",
    r"\b(?:knife|knives|weapon)\b",
    r"\bin (?:danger|immediate danger)\b(?! of)",
    r"\b(?:not|isnt|arent|dont feel|doesnt feel|never feel) safe at home\b",
    r"\b(?:cant|cannot) keep (?:him|her|them|my \w+|myself|us) safe\b",
    r"\b(?:scared|afraid|frightened|terrified) (?:of )?what (?:i|ill|i will|i might|he|hell|she|shell|they) (?:do|might do|will do)\b",
    r"\b(?:scared|afraid|frightened|terrified) (?:i|ill|i will|i might|im going to|im gonna) (?:hurt|harm|hit|lose it)\b",
    r"\b(?:fear|scared|afraid) for (?:his|her|my|their) (?:life|safety)\b",
    r"\b(?:cant|cannot) (?:cope|take) (?:it )?(?:any ?more|any longer)\b",
    r"\b(?:rather be dead|disappear forever|wants? to disappear)\b",
]

CRISIS_PATTERN: Pattern[str] = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def _hidden_characters() -> Pattern[str]:
    """Characters nobody sees, which can split a word without showing: one compiled class.

    Every format character (Unicode category Cf: soft hyphen, zero-width and
    bidirectional marks, U+180E, tag characters, ...), control characters
    other than tab and line breaks (Cc), lone surrogates (Cs), and the
    invisible marks and letters that are not Cf: the combining grapheme joiner
    U+034F, variation selectors U+FE00-FE0F and U+E0100-E01EF, and the Hangul
    fillers. Built once from the Unicode database (about 0.2 s at start).
    """
    extra = {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
    ranges, start = [], None
    for code in range(sys.maxunicode + 2):
        hidden = code <= sys.maxunicode and (
            code in extra
            or unicodedata.category(chr(code)) in ("Cf", "Cs")
            or (unicodedata.category(chr(code)) == "Cc" and chr(code) not in "\t\n\r")
        )
        if hidden and start is None:
            start = code
        elif not hidden and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile("[" + "".join(ranges) + "]")


HIDDEN_CHARACTERS: Pattern[str] = _hidden_characters()


def remove_hidden(text: str) -> str:
    """The text without invisible characters (see :func:`_hidden_characters`)."""
    return HIDDEN_CHARACTERS.sub("", text)


def normalise(text: str) -> str:
    """The text as the patterns expect it: plain lower-case letters, words and spaces.

    Invisible characters are removed, compatibility forms folded (NFKC: full-width
    and mathematical letters become plain ones) and accents dropped (NFKD, then
    combining marks removed), so text pasted from a word processor or styled on
    a phone still matches. Then: lower case, no apostrophes (doesn't -> doesnt),
    other punctuation as spaces.
    """
    text = unicodedata.normalize("NFKD", remove_hidden(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text)
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def looks_like_crisis(text: str) -> bool:
    """True if the message says someone may be in danger (see the module docstring)."""
    if not text:
        return False
    return CRISIS_PATTERN.search(normalise(text)) is not None
