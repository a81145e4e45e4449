"""The safety net in the other languages Walsall's families write in (issue 11).

The crisis words for Punjabi (Gurmukhi and Shahmukhi), Urdu, Bengali, Gujarati,
Arabic, Polish, Romanian and romanised Punjabi/Urdu were written from what
people say, before any test set of crisis messages in these languages was read.
These examples were written with them, one per kind of danger: they show each
kind is covered, not how well the words do on messages nobody anticipated
(tests/safety/crisis_languages.yml, in tests/language/test_crisis_languages.py).
"""

from pathlib import Path

import pytest
import yaml

from advice.safety import looks_like_crisis, normalise

# wants to die; suicide; kill himself; self-harm; missing; hit; overdose; not breathing
OWN_EXAMPLES = {
    "pa_guru": [
        "ਮੇਰਾ ਪੁੱਤ ਕਹਿੰਦਾ ਹੈ ਕਿ ਉਹ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹੈ",
        "ਮੇਰੀ ਧੀ ਖ਼ੁਦਕੁਸ਼ੀ ਦੀਆਂ ਗੱਲਾਂ ਕਰਦੀ ਹੈ",
        "ਉਹ ਆਪਣੇ ਆਪ ਨੂੰ ਮਾਰਨ ਦੀ ਧਮਕੀ ਦਿੰਦਾ ਹੈ",
        "ਉਹ ਬਲੇਡ ਨਾਲ ਆਪਣੀਆਂ ਬਾਹਾਂ ਕੱਟਦੀ ਹੈ",
        "ਮੇਰਾ ਮੁੰਡਾ ਕੱਲ੍ਹ ਤੋਂ ਘਰ ਨਹੀਂ ਆਇਆ",
        "ਮੇਰਾ ਪਤੀ ਬੱਚਿਆਂ ਨੂੰ ਕੁੱਟਦਾ ਹੈ",
        "ਉਸਨੇ ਸਾਰੀਆਂ ਗੋਲੀਆਂ ਖਾ ਲਈਆਂ",
        "ਮੇਰਾ ਬੱਚਾ ਸਾਹ ਨਹੀਂ ਲੈ ਰਿਹਾ",
    ],
    "pa_arab": [
        "میرا پتر کہندا اے کہ اوہ مرنا چاہندا اے",
        "میری دھی خودکشی دیاں گلاں کردی اے",
        "اوہ اپنے آپ نوں مارن دی دھمکی دیندا اے",
        "اوہ بلیڈ نال اپنیاں باہواں کٹدی اے",
        "میرا منڈا کل توں گھر نئیں آیا",
        "میرا گھر والا بچیاں نوں ماردا اے",
        "اوہنے ساریاں گولیاں کھا لئیاں",
        "میرا بچہ سانس نئیں لے رہیا",
    ],
    "ur": [
        "میرا بیٹا کہتا ہے کہ وہ مرنا چاہتا ہے",
        "میری بیٹی خودکشی کی باتیں کرتی ہے",
        "وہ اپنے آپ کو مارنے کی دھمکی دیتا ہے",
        "وہ بلیڈ سے اپنے بازو کاٹتی ہے",
        "میرا بیٹا کل سے گھر نہیں آیا",
        "میرا شوہر بچوں کو مارتا ہے",
        "اس نے ساری گولیاں کھا لی ہیں",
        "میرا بچہ سانس نہیں لے رہا",
    ],
    "bn": [
        "আমার ছেলে বলে সে মরতে চায়",
        "আমার মেয়ে আত্মহত্যার কথা বলে",
        "সে নিজেকে মেরে ফেলার হুমকি দেয়",
        "সে ব্লেড দিয়ে হাত কাটে",
        "আমার ছেলে গতকাল থেকে বাড়ি ফেরেনি",
        "আমার স্বামী বাচ্চাদের মারধর করে",
        "সে অনেক ট্যাবলেট খেয়ে ফেলেছে",
        "আমার বাচ্চা শ্বাস নিচ্ছে না",
    ],
    "gu": [
        "મારો દીકરો કહે છે કે તે મરવા માંગે છે",
        "મારી દીકરી આપઘાતની વાત કરે છે",
        "તે પોતાને મારી નાખવાની ધમકી આપે છે",
        "તે બ્લેડથી હાથ કાપે છે",
        "મારો દીકરો ગઈકાલથી ઘરે પાછો નથી આવ્યો",
        "મારા પતિ બાળકોને મારપીટ કરે છે",
        "તેણે બધી ગોળીઓ ખાઈ લીધી",
        "મારું બાળક શ્વાસ નથી લેતું",
    ],
    "ar": [
        "ابني يقول إنه يريد أن يموت",
        "ابنتي تتحدث عن الانتحار",
        "هو يهدد بأن يقتل نفسه",
        "هي تجرح يدها بشفرة",
        "ابني لم يعد إلى البيت منذ أمس",
        "زوجي يضرب الأطفال",
        "ابتلع علبة حبوب كاملة",
        "طفلي لا يتنفس",
    ],
    "pl": [
        "Mój syn mówi, że chce umrzeć",
        "Córka mówi o samobójstwie",
        "Syn grozi, że się zabije",
        "Córka tnie się żyletką",
        "Mój syn nie wrócił do domu od wczoraj",
        "Mój partner bije dzieci",
        "Syn połknął wszystkie tabletki",
        "Moje dziecko nie oddycha",
    ],
    "ro": [
        "Fiul meu spune că vrea să moară",
        "Fiica mea vorbește despre sinucidere",
        "Băiatul amenință că se omoară",
        "Fata mea se taie pe mâini",
        "Fiul meu nu s-a întors acasă de ieri",
        "Soțul meu îl bate pe copil",
        "A înghițit toate pastilele",
        "Copilul meu nu respiră",
    ],
    "pa_ur_latn": [
        "mera beta kehta hai ke woh marna chahta hai",
        "meri beti khudkushi ki baat karti hai",
        "oh apne aap nu maar dena chahunda",
        "woh apni kalai kaat rahi hai",
        "mera munda kal ton ghar nahi aaya",
        "mera ghar wala bachon ko maarta hai",
        "usne saari goliyan kha li",
        "mera bacha saans nahi le raha",
    ],
}

# A lost letter is not a lost child; "our" is not "hit"; a diagnosis is not violence.
NOT_CRISIS = [
    "ਚਿੱਠੀ ਗੁੰਮ ਹੋ ਗਈ",
    "خط گم ہو گیا",
    "List zaginął na poczcie",
    "nie mogę znaleźć listu",
    "الرسالة مفقودة",
    "আমি চিঠিটা খুঁজে পাচ্ছি না",
    "પત્ર ગુમ થઈ ગયો",
    "scrisoarea a dispărut",
    "the letter gum ho gaya",
    "ہمارا بیٹا اسکول نہیں جا رہا",
    "আমার মেয়ে স্কুলে যায় না",
    "મારી દીકરી સ્કૂલે નથી જતી",
    "ابني عنده اضطراب طيف التوحد",
    "کونسل نے ہمارے ساتھ زیادتی کی",
]


@pytest.mark.parametrize("language,message", [(lang, m) for lang, msgs in OWN_EXAMPLES.items() for m in msgs])
def test_each_kind_of_danger_is_caught_in_each_language(language, message):
    assert looks_like_crisis(message), normalise(message)


@pytest.mark.parametrize("message", NOT_CRISIS)
def test_near_misses_in_other_languages_are_not_flagged(message):
    assert not looks_like_crisis(message), normalise(message)


@pytest.mark.parametrize(
    "text,expected",
    [
        # Vowel signs are part of the word (they are not \w for Python's re).
        ("ਮਰਨਾ ਚਾਹੁੰਦਾ", "ਮਰਨਾ ਚਾਹੁਦਾ"),
        ("আত্মহত্যা!", "আতমহতযা"),
        ("આત્મહત્યા.", "આતમહતયા"),
        # Nukta, precomposed or not, and optional nasal and doubling marks fold away.
        ("\u0a5b\u0a3f\u0a70\u0a26", "\u0a1c\u0a3f\u0a26"),
        ("\u0a1c\u0a3c\u0a3f\u0a02\u0a26", "\u0a1c\u0a3f\u0a26"),
        # Arabic and Urdu keyboards: one yeh, one kaf, one heh; hamza and vowel marks dropped.
        ("\u064a\u0643\u06c1\u06be", "\u06cc\u06a9\u0647\u0647"),
        ("\u0623\u064e\u0646\u0627", "\u0627\u0646\u0627"),
        ("ـمـوت", "موت"),
        # Polish and Romanian typed with or without diacritics.
        ("Zabił się, ŁÓDŹ", "zabil sie lodz"),
        ("să-și ia viața", "sa si ia viata"),
    ],
)
def test_normalise_keeps_other_scripts_whole(text, expected):
    assert normalise(text) == expected


def test_the_same_message_with_or_without_diacritics():
    assert looks_like_crisis("corka tnie sie zyletka")
    assert looks_like_crisis("Córka tnie się żyletką")
    assert looks_like_crisis("vrea sa moara")
    assert looks_like_crisis("vrea să moară")


LANGUAGE = Path(__file__).resolve().parents[1] / "language"
SAFETY = Path(__file__).resolve().parents[1] / "safety"


def _load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


CRISIS_LANGUAGES = _load(SAFETY / "crisis_languages.yml")["messages"]
SHORT_MESSAGES = _load(LANGUAGE / "short_messages.yml")["messages"]


@pytest.mark.parametrize(
    "language,message",
    [(language, entry["text"]) for language, entries in CRISIS_LANGUAGES.items() for entry in entries],
)
def test_every_crisis_of_the_language_development_set_is_caught(language, message):
    # A development set since its misses widened the words (see its header):
    # every one must be caught.
    assert looks_like_crisis(message), normalise(message)


@pytest.mark.parametrize(
    "language,message", [(language, message) for language, messages in SHORT_MESSAGES.items() for message in messages]
)
def test_ordinary_messages_in_other_languages_are_not_flagged(language, message):
    assert not looks_like_crisis(message), normalise(message)
