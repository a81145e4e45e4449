"""Which language a family wrote in, when it is not English (issue 11).

Walsall's families also write in Punjabi (Gurmukhi and Shahmukhi scripts),
Urdu, Polish, Bengali, Romanian, Gujarati and Arabic. The assistant only
understands English, so such a message gets one short reply in its language
(``content/languages.yml``): this assistant works in English, how to reach the
SEND team and SENDIAS, who can arrange an interpreter, and to write in English
words if they can. Getting it wrong one way costs little (the family gets the
English "not understood" reply, as before); the other way, an English message
answered in Polish, would be baffling. So the rules lean towards English:

* The letters decide the script first. A message whose letters are mostly
  Gurmukhi, Bengali, Gujarati or Arabic script cannot be English; mostly Latin
  letters may be. Anything else (Devanagari, Chinese, ...) is left to English.
* Lingua (``lingua-language-detector``, restricted to English and these
  languages, built once per process) tells Urdu from Arabic, and Polish or
  Romanian from English. Before it reads Latin letters, words that are names
  or acronyms are taken out (a capital letter, or all capitals: "Wojciech",
  "Pool Hayes", "EHCP"), and fewer than MIN_LATIN_WORDS words left, or less
  than LATIN_CONFIDENCE for Polish or Romanian, means English.
* Lingua has no Punjabi in Shahmukhi: Arabic-script text it reads as Urdu is
  Punjabi when it has more Punjabi forms (دا، نوں، وچ، اے، نئیں) than Urdu
  ones (کا، کو، میں، ہے، نہیں).
* Punjabi and Urdu in Latin letters ("mera beta school nahi ja raha") look
  like English to any detector. They are recognised only by several words that
  are not English (ROMANISED_WORDS), and then answered in English, since the
  family reads Latin letters (``ROMANISED``).

The figures behind the thresholds are in the README ("Other languages").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Dict, List, Optional

from advice.replies import ROMANISED  # noqa: F401 - Punjabi or Urdu in Latin letters, answered in English
from advice.safety import remove_hidden

# The languages answered in their own words, with the code used in content/languages.yml.
LANGUAGES = ("pa_guru", "pa_arab", "ur", "pl", "bn", "ro", "gu", "ar")

# Latin letters: at least this many words that are not names or acronyms...
MIN_LATIN_WORDS = 3
# ... and Lingua this sure that they are Polish or Romanian...
LATIN_CONFIDENCE = 0.9
# ... and either this many words (Lingua's fast mode is reliable on English
# that long: no English test message of 6 words or more scores above 0.77) or
# a word that shows the language (:func:`shows_itself`).
LONG_LATIN_WORDS = 6
# Romanised Punjabi/Urdu: at least this many different words from ROMANISED_WORDS.
MIN_ROMANISED_WORDS = 3
# A script must have more than this share of the message's letters.
MAIN_SCRIPT_SHARE = 0.5

_SCRIPTS = (
    ("gurmukhi", 0x0A00, 0x0A7F),
    ("gujarati", 0x0A80, 0x0AFF),
    ("bengali", 0x0980, 0x09FF),
    ("arabic", 0x0600, 0x06FF),
    ("arabic", 0x0750, 0x077F),
    ("arabic", 0x08A0, 0x08FF),
    ("arabic", 0xFB50, 0xFDFF),
    ("arabic", 0xFE70, 0xFEFF),
    ("latin", 0x0041, 0x024F),
    ("latin", 0x1E00, 0x1EFF),
)

# Shahmukhi Punjabi against Urdu: common words that differ (after the same
# letter folding as the safety net: one yeh, one kaf, one heh).
_PUNJABI_ARABIC_SCRIPT = (
    "دا دی دے نوں نو وچ اے نئیں نیں سی ساں تے ہن کیہ کیویں کتھے مینوں تینوں سانوں تہانوں اوہ ایہ "
    "اوہنوں ایہنوں ساڈا ساڈی تہاڈا تہاڈی چاہیدا چاہیدی ولوں توں نال کراں کرو کسے آں منڈا کڑی پتر دھی"
)
_URDU = (
    "کا کو ہے ہیں نہیں تھا تھی تھے سے اب کیا کیسے کہاں مجھے تمہیں ہمیں آپ وہ یہ اسے اس ہمارا ہماری "
    "چاہیے کیلئے لیے کریں کسی رہا بیٹا بیٹی"
)
# Present participles: Punjabi -دا -دی -دے (کردا، سکدی), Urdu -تا -تی -تے (کرتا، سکتی).
_PUNJABI_ENDINGS = ("دا", "دی", "دے")
_URDU_ENDINGS = ("تا", "تی", "تے")

# Punjabi and Urdu words in Latin letters that are not English words or common names.
ROMANISED_WORDS = frozenset(
    "nahi nahin nhi nai hoon hai hain kya kyun kyon kaise kiven kivein kidda kithe kahan "
    "mera meri mere mujhe mainu sanu tuhanu humein hamein aapko aapne apne apni apna "
    "chahiye chahidi chahida chahunda chahundi chahta chahti chahte kar karke karun karoon karaan karna karni "
    "karein kariye karo kardi karda karti karta diya ditta ditti gaya gayi gya gyi raha rahi rahe reha "
    "rahiya sakti sakta sakte sakdi sakda sakde liye layi vich wich mein koi kisi kise kuch kujh bohat "
    "bahut madad baat munda kudi puttar dhee naal bilkul theek thik inkar ke ki ko ka ne nu ton se "
    "vaste waste aa jaa ja rha rhi ho hota hoti hunda hundi kehnda kehndi kehta kehti".split()
)
# Of which at least this many must be words that cannot be English text-speak
# or a typo ("da", "ho", "aa", "ja", "ne" can).
_ROMANISED_FUNCTION_ONLY = frozenset("ke ki ko ka ne nu ton se aa jaa ja ho hai".split())

# Polish or Romanian must also show itself in the words Lingua reads: a letter
# only that language has, or two of its most common words (as typed without
# diacritics too), none of them an English word or text-speak.
_OWN_LETTERS = {"pl": frozenset("ąćęłńśźż"), "ro": frozenset("ăâîșțşţ")}
_COMMON_WORDS = {
    "pl": frozenset(
        "nie jest się sie że czy dla mój moj moja moje mojego mojej mojemu mnie jego jej ale tak już juz "
        "bardzo teraz nic gdzie kiedy dlaczego może moze można mozna proszę prosze dziękuję dziekuje syn "
        "syna synem córka corka córki corki córce corce dziecko dziecka dzieci szkoła szkola szkoły szkoly "
        "szkole pomoc pomocy potrzebuję potrzebuje wiem jestem są być byc był byl była byla który ktory "
        "która ktora które ktore przez oraz tylko też tez jeszcze został zostal została zostala mówi mowi "
        "chce chcę nauczyciel żeby zeby jak mam".split()
    ),
    "ro": frozenset(
        "și este sunt eu meu mea mei mele copilul copil copii fiul fiica băiatul baiatul fetița fetita "
        "școala scoala școală școlii scolii pentru să din cum unde când cand acum deloc nimic doar foarte "
        "vă rog ajutor ajuta ajutați ajutati nevoie vreau vrea poate pot avem fost făcut facut mulțumesc "
        "multumesc bună buna ziua dar sau care nici încă inca aici acasă acasa consiliul consiliu primit "
        "spus zis îmi imi nu-mi mă".split()
    ),
}

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


@functools.lru_cache(maxsize=1)
def detector():
    """Lingua, restricted to English and the languages above: built once per process.

    Low accuracy mode (trigrams only) with its models loaded up front: about
    30 MB and 0.1 s, against about 200 MB and 1 to 2 s for the high accuracy
    mode, with the same results on every test set here (README, "Other languages").
    """
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.PUNJABI,
            Language.URDU,
            Language.POLISH,
            Language.BENGALI,
            Language.ROMANIAN,
            Language.GUJARATI,
            Language.ARABIC,
        )
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def script_of(char: str) -> Optional[str]:
    code = ord(char)
    for name, low, high in _SCRIPTS:
        if low <= code <= high:
            return name
    return None


def main_script(text: str) -> Optional[str]:
    """The script of more than half the letters of ``text``, or None.

    Acronyms in capitals (EHCP, SENCO, ADHD) are not counted: families use them
    in every language.
    """
    counts: Dict[str, int] = {}
    letters = 0
    for word in _WORD.findall(text):
        if len(word) > 1 and word.isupper() and script_of(word[0]) == "latin":
            continue
        for char in word:
            if char.isalpha():
                letters += 1
                script = script_of(char)
                if script:
                    counts[script] = counts.get(script, 0) + 1
    if not letters:
        return None
    script, count = max(counts.items(), key=lambda item: item[1], default=(None, 0))
    return script if count / letters > MAIN_SCRIPT_SHARE else None


_ARABIC_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0647": "\u06c1"})


def _fold_arabic(word: str) -> str:
    """One spelling per word: hamza and vowel marks dropped, one yeh, kaf and heh."""
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", word).translate(_ARABIC_LETTERS)


_PUNJABI_WORDS = frozenset(_fold_arabic(w) for w in _PUNJABI_ARABIC_SCRIPT.split())
_URDU_WORDS = frozenset(_fold_arabic(w) for w in _URDU.split())


def punjabi_or_urdu(words: List[str]) -> str:
    """``pa_arab`` if the Arabic-script words have more Punjabi forms than Urdu ones, else ``ur``.

    Forms: the common words above, and verbs ending like a present participle
    (three letters or more, so the postpositions دا/دی/دے count once).
    """
    folded = [_fold_arabic(w) for w in words]
    punjabi = sum(w in _PUNJABI_WORDS or (len(w) > 3 and w.endswith(_PUNJABI_ENDINGS)) for w in folded)
    urdu = sum(w in _URDU_WORDS or (len(w) > 3 and w.endswith(_URDU_ENDINGS)) for w in folded)
    return "pa_arab" if punjabi > urdu else "ur"


def plain_words(text: str) -> List[str]:
    """The words of Latin-script text that are not names or acronyms (no capital letter)."""
    return [w for w in _WORD.findall(text) if w == w.lower() and script_of(w[0]) == "latin"]


def romanised_words(words: List[str]) -> int:
    """How many different words of ROMANISED_WORDS, if enough of them are not mere function words."""
    found = {w for w in words if w in ROMANISED_WORDS}
    return len(found) if len(found - _ROMANISED_FUNCTION_ONLY) >= 2 else 0


def detect_language(text: str) -> Optional[str]:
    """The code of the language of ``text`` (LANGUAGES or ROMANISED), or None for English or unsure."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", remove_hidden(text))
    script = main_script(text)
    if script is None:
        return None
    if script == "latin":
        return _latin(text)
    words = [w for w in _WORD.findall(text) if script_of(w[0]) == script]
    if not words:
        return None
    from lingua import Language

    language = detector().detect_language_of(" ".join(words))
    if script == "gurmukhi" and language == Language.PUNJABI:
        return "pa_guru"
    if script == "bengali" and language == Language.BENGALI:
        return "bn"
    if script == "gujarati" and language == Language.GUJARATI:
        return "gu"
    if script == "arabic" and language == Language.ARABIC:
        return "ar"
    if script == "arabic" and language == Language.URDU:
        return punjabi_or_urdu(words)
    return None


def _latin(text: str) -> Optional[str]:
    words = plain_words(text)
    if romanised_words(words) >= MIN_ROMANISED_WORDS:
        return ROMANISED
    if len(words) < MIN_LATIN_WORDS:
        return None
    from lingua import Language

    top = detector().compute_language_confidence_values(" ".join(words))[0]
    code = {Language.POLISH: "pl", Language.ROMANIAN: "ro"}.get(top.language)
    if code is None or top.value < LATIN_CONFIDENCE:
        return None
    # The first word is capitalised as the start of a sentence, not as a name.
    first = _WORD.findall(text)[:1]
    if not (len(words) >= LONG_LATIN_WORDS or shows_itself(words + [w.lower() for w in first], code)):
        return None
    # English with a word or two of the language in it ("mulțumesc for the
    # help"): without those words, the rest reads as English.
    rest = [w for w in words if not set(w) & _OWN_LETTERS[code]]
    if (
        len(rest) >= MIN_LATIN_WORDS
        and len(rest) < len(words)
        and detector().detect_language_of(" ".join(rest)) == Language.ENGLISH
    ):
        return None
    return code


def shows_itself(words: List[str], code: str) -> bool:
    """A word with a letter only ``code`` has, or two of its common words."""
    if any(set(word) & _OWN_LETTERS[code] for word in words):
        return True
    return len(set(words) & _COMMON_WORDS[code]) >= 2
