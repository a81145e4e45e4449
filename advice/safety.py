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

A crisis can be written in any language a family uses, so the net also holds
crisis words in the other languages Walsall's families write in
(``_OTHER_LANGUAGES``, below the English patterns): 999 is universal, and the
crisis reply comes before any "this assistant works in English" reply.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Dict, List, Optional, Pattern, Tuple

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
    # "can't go on" like this, not on a trip: what you go on follows in the exceptions.
    r"\b(?:cant|cannot|can not) go on\b(?! (?:(?:a|an|the|her|his|their|any|this|that|next|school|day|overnight) ){0,3}"
    r"(?:residential|trips?|holidays?|visits?|outings?|camps?|placements?|work experience|courses?|transport|"
    r"bus|buses|minibus|taxi|coach|train|plane|swings?|rides?|trampoline|waiting lists?|register|stage|"
    r"computer|tablet|ipad|phone|youtube|line|online|zoom|teams|medication|meds|tablets)\b)",
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
    # Anyone who cannot be found, but not a thing that goes missing in SEND
    # paperwork ("cant find the letter", "the decision letter", "my sons plan"):
    # a list of things, not of people, so a person nobody listed is still caught.
    r"\b(?:cant|cannot|can not) find (?:him|her|them|(?:my|our|the|his|her|their) "
    r"(?!(?:(?:council|councils|decision|las?|schools?|ehcp?|tribunal|appeal|original|new|old|latest|last|first|"
    r"final|draft|\w+s) )?(?:letters?|paperwork|papers?|forms?|emails?|documents?|docs|reports?|plans?|ehcps?|"
    r"decisions?|numbers?|details|information|info|website|page|links?|address|copy|copies|evidence|notes?|"
    r"minutes|certificate|deadline|files?|records?|section)\b))",
    r"\b(?:hasnt|has not|didnt|did not|not) (?:come|came|been) (?:back )?home\b",
    # abuse, violence, danger, someone hurt
    r"\babus(?:e|ed|es|ing)\b(?! (?:the|their|its|of) (?:system|power|position|process|authority))",
    r"\bviolence\b",
    r"\b(?:sexual(?:ly)? (?:abus\w*|assault\w*)|raped?|molest\w*|groom(?:ed|ing))\b",
    r"\btouch(?:es|ed|ing) (?:her|him|me|my \w+)\b",
    r"\b(?:hit|hits|hitting|beats|beating|beat|kicks|kicking|kicked|punch\w*|chok\w*|strangl\w*|batter\w*|"
    r"attack\w*|hurt|hurts|hurting|harm|harming|shov\w*|restrain\w*|went for) "
    r"(?:him|her|me|us|them|my \w+|the kids|the children)\b"
    r"(?! targets?\b| with (?:delays?|paperwork|forms|emails|letters|demands|questions|bills|jargon))",
    # Pushed someone, but not pushing the council or school for something ("push them on his support").
    r"\bpush\w* (?:him|her|me|us|them|my \w+|the kids|the children)\b"
    r"(?! targets?\b| with (?:delays?|paperwork|forms|emails|letters|demands|questions)"
    r"| (?:on|about) (?:(?:his|her|their|my|our|the|this|that) )?(?:support|plans?|ehcps?|ehc|provision|hours|needs|"
    r"case|reviews?|assessments?|decisions?|funding|placements?|transport|deadlines?|timescales?|applications?|"
    r"requests?|complaints?|appeals?|section|paperwork|reports?|it|this|that)\b"
    r"| for (?:an? |the |more |his |her |their )?(?:answers?|decisions?|dates?|updates?|reply|replies|response|meetings?|"
    r"assessments?|reviews?|plans?|ehcps?|support|funding|hours|help|provision|places?|it|this|that)\b"
    r"| to (?:do|give|get|make|agree|provide|assess|fund|send|reply|respond|answer|act|name|change|update|review|"
    r"follow|consider|meet|sort|issue|finalise|finish|hurry|speed|put|apply|include|look)\b"
    r"| into (?:doing|giving|getting|agreeing|providing|making|assessing|funding|acting|a decision)\b"
    r"| harder\b| further\b)",
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

# Crisis words in the other languages Walsall's families write in (issue 11):
# Punjabi in Gurmukhi and Shahmukhi, Urdu, Bengali, Gujarati, Arabic, Polish,
# Romanian, and Punjabi/Urdu typed in Latin letters. For each: wants to die,
# kill himself or herself, self-harm and cutting, a missing child, being hit or
# abused, an overdose or pills taken, not breathing or unconscious, a knife.
#
# Write them as people type them, accents and all: each pattern goes through
# the same folding as the message (:func:`fold`: accents, Indic virama, nukta
# and nasal marks dropped, Arabic-script letter variants made one), so
# "umrzeć" and "umrzec", or "ਖ਼ੁਦਕੁਸ਼ੀ" and "ਖੁਦਕੁਸ਼ੀ", are one pattern. In
# these patterns ``\b`` counts vowel signs as part of a word (Python's does
# not: "ਮਾਰਿਆ" would end after "ਮਾਰ"). Words that also name a lost letter
# ("گم", "ਗੁੰਮ", "zaginął") need a child before them; "not found" needs "him"
# or "her", as in English.
_OTHER_LANGUAGES = {
    "pa_guru": [
        r"ਮਰਨਾ ਚਾਹ",
        r"ਮਰ ਜਾਣਾ",
        r"ਮਰ ਜਾਵਾਂ",
        r"ਮਰਨ ਬਾਰੇ",
        r"(?:ਜੀਣਾ|ਜੀਉਣਾ|ਜਿਉਣਾ|ਜਿਊਣਾ|ਜੀਵਣਾ) ਨਹੀਂ",
        r"ਖ਼ੁਦਕੁਸ਼ੀ",
        r"ਆਤਮ ?ਹੱਤਿਆ",
        r"ਆਪਣੀ ਜਾਨ (?:ਲੈ|ਦੇ)",
        r"ਜਾਨੋਂ ਮਾਰ",
        r"(?:ਆਪਣੇ ਆਪ|ਖ਼ੁਦ) ਨੂੰ (?:ਮਾਰ|ਖ਼ਤਮ|ਨੁਕਸਾਨ|ਕੱਟ|ਸੱਟ|ਜ਼ਖ਼ਮੀ|ਸਾੜ)",
        r"(?:ਬਾਂਹ|ਬਾਹਾਂ|ਬਾਹਵਾਂ|ਗੁੱਟ|ਕਲਾਈ|ਲੱਤਾਂ)\b.{0,12}ਕੱਟ",
        r"ਬਲੇਡ",
        r"ਸੈਲਫ਼ ਹਾਰਮ",
        r"ਲਾਪਤਾ",
        r"(?:ਮੁੰਡਾ|ਕੁੜੀ|ਪੁੱਤ|ਪੁੱਤਰ|ਧੀ|ਬੱਚਾ|ਬੱਚੀ|ਬੱਚੇ|ਬੇਟਾ|ਬੇਟੀ)\b.{0,30}(?:ਗੁੰਮ|ਗਵਾਚ)",
        r"ਘਰ(?: ਵਾਪਸ)? ਨਹੀਂ (?:ਆਇਆ|ਆਈ|ਆਏ|ਮੁੜ)",
        r"ਘਰੋਂ (?:ਭੱਜ|ਨੱਸ)",
        r"(?:ਭੱਜ|ਨੱਸ) (?:ਗਿਆ|ਗਈ)",
        r"ਕਿਤੇ (?:ਵੀ )?ਨਹੀਂ ਲੱਭ",
        r"(?:ਉਹਨੂੰ|ਉਸਨੂੰ|ਉਸ ਨੂੰ) ਲੱਭ ਨਹੀਂ",
        r"\bਕੁੱਟ",
        r"\bਮਾਰ(?:ਦਾ|ਦੀ|ਦੇ|ਿਆ)\b",
        r"ਥੱਪੜ",
        r"ਸ਼ੋਸ਼ਣ",
        r"ਦੁਰਵਿਵਹਾਰ",
        r"ਹਿੰਸਾ",
        r"ਛੇੜਛਾੜ",
        r"ਬਲਾਤਕਾਰ",
        r"ਗਲਤ (?:ਤਰੀਕੇ|ਢੰਗ) ਨਾਲ ਛ",
        r"ਚਾਕੂ",
        r"ਛੁਰ[ਾੀ]",
        r"ਖ਼ਤਰੇ ਵਿੱਚ",
        r"ਨੀਲ(?:ੇ)? (?:ਨਿਸ਼ਾਨ|ਪ)",
        r"ਓਵਰ ?ਡੋਜ਼",
        r"ਗੋਲੀਆਂ (?:ਖਾ|ਨਿਗਲ)",
        r"ਸਾਰੀਆਂ ਗੋਲੀਆਂ",
        r"ਜ਼ਹਿਰ",
        r"\bਸਾਹ\b.{0,8}ਨਹੀਂ",
        r"ਸਾਹ (?:ਰੁਕ|ਬੰਦ)",
        r"ਬੇਹੋਸ਼",
        r"ਹੋਸ਼ ਨਹੀਂ",
        r"ਖ਼ੂਨ (?:ਵਗ|ਨਿਕਲ)",
    ],
    # Punjabi in Shahmukhi and Urdu share a script and many words.
    "pa_arab+ur": [
        r"مرنا چاہ",
        r"مر جانا",
        r"مر جاواں",
        r"مر جاؤں",
        r"مرنے (?:کی|کا|دی|دا) (?:بات|باتیں|گل|سوچ)",
        r"(?:جینا|جیونا) (?:نہیں|نئیں|نہ)\b",
        r"زندہ (?:نہیں|نئیں) رہنا",
        r"زندگی ختم",
        r"خود ?کشی",
        r"(?:اپنے آپ|خود) (?:کو|نوں) (?:مار|ختم|نقصان|کاٹ|کٹ|زخمی|جلا|ساڑ)",
        r"اپنی جان (?:لے|لین|دے)",
        r"جان سے مار",
        r"جانوں مار",
        r"(?:بازو|بانہہ|باہواں|بانہواں|کلائی|کلائیاں|گٹ)\b.{0,12}(?:کاٹ|کٹ)",
        r"بلیڈ",
        r"سیلف ہارم",
        r"لاپت[ہا]",
        r"گمشد",
        r"(?:بیٹا|بیٹی|بچہ|بچی|بچے|لڑکا|لڑکی|منڈا|کڑی|پتر|دھی)\b.{0,30}\b(?:گم|گواچ)",
        r"گھر(?: واپس)? (?:نہیں|نئیں|نہ) (?:آیا|آئی|آئے|آ رہ|مڑ)",
        r"گھر(?:وں| سے) (?:بھاگ|نس)",
        r"(?:بھاگ|نس) (?:گیا|گئی)",
        r"(?:کہیں|کتے) (?:بھی |وی )?(?:نہیں|نئیں) (?:مل|لبھ)",
        r"\bمار(?:تا|تی|تے|دا|دی|دے|ا)\b",
        r"\bپیٹ(?:تا|تی|تے|ا)\b",
        r"پٹائی",
        r"\bکٹ(?:دا|دی|دے|یا)\b",
        r"تھپڑ",
        r"چپیڑ",
        r"جنسی (?:زیادتی|تشدد|استحصال|ہراس)",
        r"تشدد",
        r"بدسلوکی",
        r"غلط (?:طریقے|طرح|جگہ).{0,15}(?:چھو|ہاتھ)",
        r"چاقو",
        r"چھری",
        r"چھرا",
        r"خطرے (?:میں|وچ)",
        r"نیل(?:ے)? (?:کے )?(?:نشان|پڑ)",
        r"اوور ?ڈوز",
        r"گولیاں (?:کھا|نگل)",
        r"ساری(?:اں)? گولیاں",
        r"\bزہر",
        r"(?:سانس|ساہ) (?:نہیں|نئیں|نہ)\b",
        r"سانس (?:رک|بند)",
        r"بے ?ہوش",
        r"ہوش (?:نہیں|نئیں)",
        r"خون (?:بہ|وگ|نکل)",
    ],
    "bn": [
        r"মরতে চা",
        r"মরে যেতে চা",
        r"মরে যাব",
        r"বাঁচতে চা(?:য়|ই|ইছে|চ্ছে)? ?না",
        r"আত্মহত্য",
        r"নিজেকে (?:মেরে|শেষ|আঘাত|কাট|কেটে|ক্ষতি|পুড়িয়ে)",
        r"নিজের (?:ক্ষতি|জীবন শেষ)",
        r"জীবন শেষ করে",
        r"গলায় (?:দড়ি|ফাঁস)",
        r"মেরে ফেল",
        r"(?:হাত|কব্জি)\b.{0,8}(?:কাট|কেটে)",
        r"ব্লেড",
        r"সেলফ হার্ম",
        r"নিখোঁজ",
        r"(?:ছেলে|মেয়ে|বাচ্চা|সন্তান|শিশু)\S{0,4}.{0,25}হারিয়ে (?:গেছে|গিয়েছে|গেল)",
        r"(?:ওকে|তাকে|ওদের|ছেলেকে|মেয়েকে|বাচ্চাকে)\b.{0,15}খুঁজে পা",
        r"বাড়ি (?:ফেরেনি|ফেরে নি|ফিরেনি|ফিরে আসেনি|আসেনি|আসে নি)",
        r"পালিয়ে (?:গেছে|গিয়েছে|গেল)",
        r"\bমার(?:ে|ছে|ল|লো|ধর)\b",
        r"\bমেরে(?:ছে|ছিল)",
        r"পেটা(?:য়|চ্ছে|ল|লো|নো)",
        r"থাপ্পড়",
        r"চড় মার",
        r"নির্যাতন",
        r"যৌন (?:হয়রানি|নির্যাতন|নিপীড়ন)",
        r"ধর্ষণ",
        r"শ্লীলতাহানি",
        r"গায়ে হাত (?:তো|তু)",
        r"ছুরি",
        r"বিপদে",
        r"কালশিটে",
        r"ওভারডোজ",
        r"(?:অনেক|সব|এক পাতা|পুরো পাতা|একগাদা)\S{0,4} (?:ট্যাবলেট|ওষুধ|বড়ি|পিল)",
        r"(?:ট্যাবলেট|ওষুধ|বড়ি|পিল)\S{0,4} একসাথে",
        r"বিষ খে",
        r"শ্বাস (?:নিচ্ছে ?না|নিতে পারছে ?না|বন্ধ)",
        r"নিঃশ্বাস (?:নিচ্ছে ?না|বন্ধ)",
        r"অজ্ঞান",
        r"জ্ঞান (?:নেই|ফিরছে ?না|হারিয়ে)",
        r"রক্ত (?:পড়|বের হচ্ছে|ঝরছে)",
    ],
    "gu": [
        r"મરવા (?:માંગ|માગ|ઈચ્છ|ઇચ્છ)",
        r"મરી જવ",
        r"મરી જાઉં",
        r"જીવવા.{0,12}નથી",
        r"જીવવું નથી",
        r"આત્મહત્યા",
        r"આપઘાત",
        r"પોતાને (?:મારી|નુકસાન|ઇજા|ઈજા|કાપ|બાળ)",
        r"જીવન ટૂંકાવ",
        r"મારી નાખ",
        r"ફાંસો",
        r"(?:હાથ|કાંડું|કાંડા|કાંડાં)\b.{0,8}કાપ",
        r"બ્લેડ",
        r"સેલ્ફ હાર્મ",
        r"લાપતા",
        r"(?:દીકરો|દીકરી|બાળક|છોકરો|છોકરી|પુત્ર|પુત્રી)\S{0,4}.{0,30}ગુમ",
        r"ઘરે (?:પાછો |પાછી |પાછા )?(?:નથી આવ|આવ્યો નથી|આવી નથી|આવ્યા નથી)",
        r"ભાગી (?:ગયો|ગઈ|ગયા)",
        r"ક્યાંય (?:મળતો|મળતી|મળતા) નથી",
        r"(?:તેને|એને|તેણીને) શોધી શકતા નથી",
        r"(?:મને|તેને|એને|અમને|તેણીને|દીકરાને|દીકરીને|બાળકને|છોકરાને|છોકરીને)\b.{0,20}(?:મારે|મારતો|મારતી|મારતા|માર્યો|માર્યું)\b",
        r"મારપીટ",
        r"\bમારત(?:ો|ી|ા)\b",
        r"\bમાર્ય(?:ો|ું|ા)",
        r"થપ્પડ",
        r"તમાચો",
        r"શોષણ",
        r"જાતીય",
        r"હિંસા",
        r"દુર્વ્યવહાર",
        r"બળાત્કાર",
        r"છેડતી",
        r"ચાકુ",
        r"છરી",
        r"છરો",
        r"જોખમમાં",
        r"ખતરામાં",
        r"ઓવરડોઝ",
        r"(?:બધી|ઘણી|ઢગલો|આખું પેકેટ) (?:ગોળી|દવા|ટેબ્લેટ)",
        r"ગોળીઓ.{0,10}ગળી",
        r"\bઝેર",
        r"શ્વાસ.{0,12}નથી",
        r"શ્વાસ બંધ",
        r"બેભાન",
        r"ભાન નથી",
        r"લોહી (?:નીકળ|વહ)",
    ],
    "ar": [
        r"(?:ي|ت|أ|ن)ريد (?:أن )?(?:ي|ت|أ|ن)موت",
        r"\b(?:بد|بدو|بدها|بدي|عايز|عايزة|عاوز|عاوزة|حاب|حابب|بغيت|يبغى|تبغى|ودي|وده|ودها) (?:ي|ت|أ|ن)?موت",
        r"(?:أتمنى|يتمنى|تتمنى) (?:ال)?موت",
        r"(?:لا|ما) (?:ي|ت|أ)ريد (?:أن )?(?:ي|ت|أ)عيش",
        r"نتحا?ر",
        r"قتل نفس",
        r"قتل(?:ني|ه|ها|نا|ك)\b",
        r"(?:ينهي|تنهي|أنهي|إنهاء) حيات",
        r"(?:ي|ت|أ)?(?:ؤذي|جرح|حرق|قطع) نفس",
        r"إيذاء النفس",
        r"(?:جرح|يجرح|تجرح|قطع|تقطع|يقطع)\w* (?:يد|ذراع|معصم|رسغ)",
        r"شفرة",
        r"موس حلاقة",
        r"(?:ابني|ابنتي|بنتي|ولدي|طفلي|الولد|البنت|الطفل|ابننا|بنتنا|ابنه|ابنها)\b.{0,30}(?:مفقود|اختف)",
        r"هرب(?:ت)? من (?:ال)?(?:بيت|منزل|دار)",
        r"\b(?:لم|ما) (?:ي|ت)?(?:عد|عاد|عادت|رجع|رجعت|يرجع|ترجع)\b (?:إلى |الى |ل|عال|على )?(?:ال)?(?:بيت|منزل|دار)",
        r"(?:لا|ما) (?:ن|أ)عرف (?:أين|وين|فين) (?:هو|هي)",
        r"(?:ما|لا|مش) (?:لاقيين|لاقينه|لاقينها|نلاقيه|نلاقيها|نجده|نجدها)",
        r"\b(?:ي|ت)?ضرب(?:ني|ه|ها|هم|نا)\b",
        r"\b(?:ي|ت)ضرب\w* (?:ال)?(?:ولد|بنت|طفل|أطفال|أولاد|ولاد|ابن|ابنة|ابني|ابنتي|بنتي|ولدي|صغار)",
        r"تعنيف",
        r"\bيعنف",
        r"\b(?:ال)?عنف\b",
        r"اعتداء",
        r"اعتدى",
        r"تحرش",
        r"اغتصاب",
        r"اغتصب",
        r"(?:ي|ت)لمس(?:ها|ه|ني)\b",
        r"إساءة",
        r"سكين",
        r"في خطر",
        r"كدمات",
        r"جرعة زائدة",
        r"(?:كل|علبة|كمية كبيرة من|كثير من) (?:ال)?(?:حبوب|أقراص|دواء|أدوية)",
        r"(?:بلع|ابتلع)\w*.{0,15}(?:حبوب|أقراص|دواء)",
        r"تسمم",
        r"\b(?:لا|ما|مش|مو) (?:عم )?(?:ب)?(?:ي|ت)تنفس",
        r"(?:فاقد|فقد|فقدت|فاقدة) (?:ال)?وعي",
        r"مغمى علي",
        r"نزيف",
        r"\b(?:ي|ت)نزف",
    ],
    "pl": [
        r"\bchc\w*(?: już)? umrzeć",
        r"\bnie chc\w*(?: już)? żyć\b",
        r"\b(?:umrzeć|umrę)\b",
        r"\bsamobój",
        r"\bzabi\w* się\b",
        r"\bsię zabi",
        r"\bodebra\w* sobie życie",
        r"\bskończy\w* ze sobą",
        r"\b(?:powiesi|wiesza)\w* się\b",
        r"\bzabi(?:je|ć|ł|ła|jesz) (?:go|ją|mnie|nas|ich)\b",
        r"\bsamookalecz",
        r"\b(?:tnie|tną|tnę|cięła|ciął|pocięła|pociął|kaleczy|okalecza|okaleczyła|okaleczył|rani) się\b",
        r"\bsię (?:tnie|kaleczy|okalecza)\b",
        r"\bnadgarst",
        r"\bżyletk",
        r"\bzaginion",
        r"\b(?:syn|synek|córka|córeczka|dziecko|chłopiec|dziewczynka|wnuk|wnuczka)\b.{0,30}\b(?:zagin|znikn)",
        r"\bnie wróci\w*(?: jeszcze)? do domu",
        r"\buciek\w* z domu",
        r"\bnie (?:mogę|możemy|można) (?:go|jej|ich) znaleźć",
        r"\bnie wiem\w* gdzie (?:on|ona|jest|są)\b",
        r"\bbij(?:e|ą|esz|ecie)\b",
        r"\bpobi",
        r"\buderz(?:ył|yła|yli|a|ają)\b",
        r"\bprzemoc",
        r"\bmolest",
        r"\bwykorzyst\w* seksualn",
        r"\bznęca",
        r"\bmaltretu",
        r"\bnóż\b",
        r"\bnożem\b",
        r"\bw niebezpieczeństwie",
        r"\bsiniak",
        r"\bprzedawkow",
        r"\bpołkn\w*.{0,25}\b(?:tabletk|lek|pigułk)",
        r"\b(?:wszystkie|całe opakowanie|garść|dużo) (?:tabletek|tabletki|leków|leki|pigułek|pigułki)",
        r"\botru",
        r"\bnie oddycha",
        r"\bnieprzytomn",
        r"\bstraci\w* przytomność",
        r"\bkrwawi",
        r"\bzemdla",
    ],
    "ro": [
        r"\b(?:vrea|vreau|vor|vrem|voia|vroia) să (?:moară|mor)\b",
        r"\bnu (?:mai )?(?:vrea|vreau|vor|vrem) să (?:mai )?(?:trăiasc|trăiesc|trăim)",
        r"\bsinuci",
        r"\bse (?:omoare|omoară|sinucid|spânzur)",
        r"\b(?:își|și) (?:ia|lua|a luat) viața",
        r"\bcapăt vieții",
        r"\bomoar",
        r"\bomor(?:î|ât|at)?\b",
        r"\bse (?:taie|tăia|rănește|rănesc|lovește|zgârie|arde|mutilează)\b",
        r"\bautomutil",
        r"\bautovătăm",
        r"\btăieturi",
        r"\bîncheietur",
        r"\b(?:copil\w*|fiul|fiica|fata|fetița|băiat\w*|nepot\w*)\b.{0,30}\bdispărut",
        r"\bdispărut\w* de acasă",
        r"\bnu s-a (?:mai )?(?:întors|întoarce) acasă",
        r"\bnu (?:a )?(?:mai )?venit acasă",
        r"\bfugit\w* de acasă",
        r"\ba fugit\b",
        r"\bnu (?:îl|l|o) (?:mai )?(?:găsim|găsesc|găsește)",
        r"\bnu știm unde (?:e|este)\b",
        r"\b(?:îl|l|o|mă|ne|te|le|îi|i) (?:bate|bătea|lovește|lovea)\b",
        r"\b(?:a|au|l-a|o-a|m-a) (?:bătut|lovit)\b",
        r"\bviolență\b",
        r"\bviolențe\b",
        r"\babuz",
        r"\bmolest",
        r"\bagres",
        r"\bviol(?:at|ată|ul)?\b",
        r"\bcuțit",
        r"\bîn pericol",
        r"\bvânătăi",
        r"\bsupradoz",
        r"\btoate (?:pastilele|medicamentele|tabletele)",
        r"\bînghiți\w*.{0,25}\b(?:pastil|medicament|tablet)",
        r"\botrăv",
        r"\bnu (?:mai )?respiră",
        r"\binconștient",
        r"\bleșin",
        r"\bsânger",
    ],
    # Punjabi and Urdu typed in Latin letters, as many British-born families do.
    "pa_ur_latn": [
        r"\bmar(?:na|n|ne) (?:chah|chau|chaah)\w*",
        r"\bmar ja(?:na|un|oon|wan|van|vaan|waan|unga|ungi|ega|egi)\b",
        r"\bmarne (?:ki|di|de|ka) (?:baat|baatein|gall|gal|soch)",
        r"\b(?:jeena|jina|jeenaa|jeevna|jiona|jeona) (?:nahi|nahin|nai|ni|nhi)\b",
        r"\bzinda (?:nahi|nahin|nai|ni|nhi) (?:rehna|rahna)",
        r"\bkhud ?k[ua]sh?i",
        r"\batm ?hatya",
        r"\ba+pn?e?y? (?:aap|ap|app) (?:ko|nu|nun|nuu|noo) (?:maar|mar|khatam|nuksan|nuqsan|hurt|cut|kaat|kat|zakhmi)",
        r"\bapni (?:jaan|jan) (?:le|lay|lena|lene|de|dena)\b",
        r"\bkal(?:ai|ayi|aee) (?:kaat|kat|kaati|kati)",
        r"\bla+pata\b",
        r"\b(?:beta|beti|bacha|bachi|bachcha|munda|kudi|kuri|putt|puttar|dhee|dhi|larka|larki|ladka|ladki)\b.{0,30}"
        r"\b(?:gum|gawach|guach|gwach)\b",
        r"\bghar (?:wapas |vapas )?(?:nahi|nahin|nai|ni|nhi) (?:aaya|aya|aayi|ayi|aai|aaye|aye|aaiya|pahuncha|aa)\b",
        r"\b(?:bhaag|bhag|nass) (?:gaya|gayi|gya|gyi|gai|geya)\b",
        r"\bkahin (?:bhi )?(?:nahi|nahin|nai|ni|nhi) mil",
        r"\bmaa?r(?:ta|ti|te|da|di|de) (?:hai|hain|he|h|ae|aa|si|tha|thi)\b",
        r"\bpitai\b",
        r"\bkutt? ?(?:da|di|de|dey|ya|eya)\b",
        r"\bmaa?r ?(?:da|di|de) (?:aa|ae|hai|si)\b",
        r"\bthapp?ad",
        r"\bchap(?:e|ai|ee)r",
        r"\b(?:galat|ganda|gandi) (?:touch|tarah se chh|tareeke se chh)",
        r"\b(?:chaku|chaaku|chaqu|churi|chhuri|chhura)\b",
        r"\bkhatre (?:mein|vich|wich|me)\b",
        r"\bgoli(?:an|yan|aan|yaan|ya|ian|aa) (?:kha|khaa|nigal)",
        r"\bsaari(?:an|yan)? goli",
        r"\b(?:zeher|zehar|zahar|zehr)\b",
        r"\b(?:saans|sans|saah) (?:nahi|nahin|nai|ni|nhi)\b",
        r"\bbe ?hosh\b",
        r"\bhosh (?:nahi|nahin|nai|ni|nhi)\b",
        r"\bkhoon (?:beh|nikal|vag|wag)",
    ],
}


def _unicode_classes() -> Tuple[str, str]:
    """Two character classes (their insides, as ranges), from one pass over the Unicode database.

    * hidden: characters nobody sees, which can split a word without showing.
      Every format character (Unicode category Cf: soft hyphen, zero-width and
      bidirectional marks, U+180E, tag characters, ...), control characters
      other than tab and line breaks (Cc), lone surrogates (Cs), and the
      invisible marks and letters that are not Cf: the combining grapheme
      joiner U+034F, variation selectors U+FE00-FE0F and U+E0100-E01EF, and
      the Hangul fillers.
    * marks: combining marks (categories Mn, Mc, Me) that are part of a word:
      the vowel signs of Gurmukhi, Bengali and Gujarati. Python's ``\\w`` does
      not include them, so without this class punctuation-stripping would cut
      "ਮਰਨਾ" into "ਮਰਨ".

    About 0.3 s at start.
    """
    extra = {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}

    ranges: Tuple[List[str], List[str]] = ([], [])
    starts: List[Optional[int]] = [None, None]
    for code in range(sys.maxunicode + 2):
        category = unicodedata.category(chr(code)) if code <= sys.maxunicode else ""
        inside = (
            code in extra or category in ("Cf", "Cs") or (category == "Cc" and chr(code) not in "\t\n\r"),
            category[:1] == "M" and code not in extra,
        )
        for i in (0, 1):
            if inside[i] and starts[i] is None:
                starts[i] = code
            elif not inside[i] and starts[i] is not None:
                ranges[i].append(f"\\U{starts[i]:08x}-\\U{code - 1:08x}")
                starts[i] = None
    return "".join(ranges[0]), "".join(ranges[1])


_HIDDEN, MARKS = _unicode_classes()
HIDDEN_CHARACTERS: Pattern[str] = re.compile(f"[{_HIDDEN}]")
_NOT_WORD = re.compile(rf"[^\w\s{MARKS}]")

# Dropped in folding: marks people often leave out when typing. Gurmukhi
# bindi, tippi and addak; Bengali and Gujarati candrabindu; Gujarati anusvara.
_OPTIONAL_MARKS = frozenset("\u0a01\u0a02\u0a70\u0a71\u0981\u0a81\u0a82")
# Letters typed differently on Arabic, Persian and Urdu keyboards become one;
# ł has no decomposition, so it is folded by hand; the tatweel only stretches.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u06c1": "\u0647",
        "\u06be": "\u0647",
        "\u06c3": "\u0629",
        "\u0640": None,
    }
)


def remove_hidden(text: str) -> str:
    """The text without invisible characters (see :func:`_unicode_classes`)."""
    return HIDDEN_CHARACTERS.sub("", text)


def fold(text: str) -> str:
    """The text with the differences that do not change a word removed; applied to patterns too.

    Invisible characters are removed, compatibility forms folded (NFKC: full-width
    and mathematical letters become plain ones), and marks with a combining
    class dropped (NFKD, then those marks removed): Latin accents, Arabic
    vowel marks and hamza, Indic virama and nukta. Then the optional Indic marks
    and the letter variants above.
    """
    text = unicodedata.normalize("NFKD", remove_hidden(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch not in _OPTIONAL_MARKS)
    return unicodedata.normalize("NFKC", text).translate(_LETTERS)


def normalise(text: str) -> str:
    """The text as the patterns expect it: plain lower-case letters, words and spaces.

    Folded (:func:`fold`), so text pasted from a word processor or styled on a
    phone still matches. Then: lower case, no apostrophes (doesn't -> doesnt),
    other punctuation as spaces; the vowel signs of Indic scripts are kept.
    """
    text = fold(text).lower().replace("\u2019", "'").replace("'", "")
    text = _NOT_WORD.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


# In a pattern, a word character is \w or a sign of an Indic script (all
# their blocks, U+0900-0DFF: a class of every mark would make compiling slow).
_WORD = r"[\w\u0900-\u0dff]"
_BOUNDARY = rf"(?:(?<!{_WORD})(?={_WORD})|(?<={_WORD})(?!{_WORD}))"


# The script of each language whose patterns are not in Latin letters: its
# patterns are tried only on a message with a letter of that script, so they
# cost an English message nothing.
_SCRIPTS = {
    "pa_guru": "[\u0a00-\u0a7f]",
    "pa_arab+ur": "[\u0600-\u06ff]",
    "ar": "[\u0600-\u06ff]",
    "bn": "[\u0980-\u09ff]",
    "gu": "[\u0a80-\u0aff]",
}


def _other_language(pattern: str, script: bool) -> str:
    """A pattern of ``_OTHER_LANGUAGES`` as it must be matched: folded and lower case.

    A hyphen becomes a space, as :func:`normalise` makes it in the message. In
    a language with its own script, ``\\b`` counts vowel signs as part of a word.
    """
    pattern = fold(pattern).lower().replace("-", " ")
    return pattern.replace(r"\b", _BOUNDARY) if script else pattern


def _alternatives(patterns: List[str]) -> Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# English.
CRISIS_PATTERN: Pattern[str] = _alternatives(_PATTERNS)
# Each other language: (a check for its script, or None for Latin letters; its patterns).
# One pattern per language, not one for all: Python's re finds a short
# alternation's first letters quickly, so a 20,000-character message costs
# about 30 ms of CPU this way and 53 ms as a single pattern (28 ms in English only).
OTHER_LANGUAGE_PATTERNS: Dict[str, Tuple[Optional[Pattern[str]], Pattern[str]]] = {
    language: (
        re.compile(_SCRIPTS[language]) if language in _SCRIPTS else None,
        _alternatives([_other_language(p, language in _SCRIPTS) for p in patterns]),
    )
    for language, patterns in _OTHER_LANGUAGES.items()
}


def looks_like_crisis(text: str) -> bool:
    """True if the message says someone may be in danger (see the module docstring)."""
    if not text:
        return False
    text = normalise(text)
    if CRISIS_PATTERN.search(text):
        return True
    return any(
        (script is None or script.search(text)) and pattern.search(text)
        for script, pattern in OTHER_LANGUAGE_PATTERNS.values()
    )
