"""The built-in sentiment lexicons: our own small, curated lists of Dutch and English words
(matched on the word and on its lemma) with a weight from −3 (very negative) to +3 (very
positive), and the words that negate, intensify, soften or turn a sentence around ("but").

Written for customer comments about service, delivery, price, staff and products."""

from __future__ import annotations


def _weights(spec: str) -> dict[str, float]:
    """``"3: word word; -2: word"`` → ``{word: 3.0, …}``."""
    table: dict[str, float] = {}
    for group in spec.split(";"):
        if not group.strip():
            continue
        weight, words = group.split(":", 1)
        for word in words.split():
            table[word.replace("_", " ")] = float(weight)
    return table


EN = _weights(
    """
    3: excellent outstanding superb fantastic amazing brilliant perfect wonderful awesome
       phenomenal exceptional delicious terrific love loved lovely best flawless superb
       heavenly incredible impeccable;
    2: great good nice friendly helpful pleasant happy glad satisfied recommend recommended
       enjoy enjoyed tasty fresh quick fast efficient polite kind courteous attentive
       professional clean beautiful cosy cozy comfortable reliable smooth easy clear fair
       impressed impressive generous warm knowledgeable thank thanks appreciate
       appreciated solved resolved fixed favourite favorite worth yummy charming;
    1: fine okay ok decent reasonable acceptable adequate cheap affordable solid prompt
       welcoming patient responsive correct on-time convenient quiet spacious like liked
       well better improve improved;
    -1: slow expensive pricey small late wait waiting waited mediocre average bland noisy
        loud crowded confusing complicated unclear cold limited overpriced lacking
        unfortunately sadly problem issue again still mistake error missing questionable;
    -2: bad poor rude unfriendly unhelpful disappointing disappointed dirty broken wrong
        damaged annoying annoyed frustrating frustrated complain complaint unacceptable
        useless careless ignored ignore dry greasy stale soggy tasteless overcooked
        undercooked burnt salty rip-off lost never nobody cancelled canceled charged
        refund incompetent unprofessional sloppy angry upset hate hated fail failed
        unreliable unreachable inedible sick unhappy dissatisfied unsatisfied
        ripped-off crash crashes crashed crashing glitch glitches glitchy buggy outage
        outages;
    -3: terrible horrible awful worst disgusting dreadful appalling pathetic atrocious
        horrendous scam nightmare abysmal shocking disaster disgraceful furious
    """
)

NL = _weights(
    """
    3: uitstekend uitmuntend fantastisch geweldig perfect prachtig heerlijk super top
       voortreffelijk fenomenaal subliem briljant schitterend verrukkelijk toppie
       formidabel onvergetelijk fabuleus beste;
    2: goed fijn leuk vriendelijk behulpzaam aardig tevreden blij aanrader aanbevelen
       lekker vers snel efficiënt beleefd attent professioneel schoon mooi gezellig
       sfeervol comfortabel betrouwbaar duidelijk eerlijk correct netjes keurig
       bedankt dank waarderen opgelost prettig smaakvol gastvrij deskundig vlot handig
       genieten genoten vakkundig hulpvaardig bereikbaar klantvriendelijk;
    1: prima oké ok redelijk voldoende degelijk betaalbaar goedkoop rustig ruim
       geduldig oplettend snelle beter verbeterd kloppen;
    -1: traag langzaam duur klein laat wachten wachttijd matig gemiddeld flauw
        lawaaierig druk onduidelijk ingewikkeld koud beperkt helaas jammer probleem
        opnieuw alweer nog_steeds fout ontbreken vergeten kwijt prijzig zout;
    -2: slecht onvriendelijk onbeleefd brutaal teleurstellend teleurgesteld vies
        smerig kapot verkeerd beschadigd irritant vervelend frustrerend klacht klagen
        onacceptabel nutteloos onbehulpzaam genegeerd droog vet oud taai smakeloos
        aangebrand verbrand overgaar nooit niemand geannuleerd terugbetaling
        incompetent onprofessioneel slordig boos kwaad haten mislukt onbetrouwbaar
        onbereikbaar oneetbaar ziek waardeloos zonde ontevreden ongelukkig
        opgelicht crash crasht crashen gecrasht hapert haperen storing storingen
        foutmelding vastgelopen;
    -3: verschrikkelijk vreselijk afschuwelijk walgelijk belabberd waardeloos
        schandalig rampzalig dramatisch diep_triest bedroevend belachelijk oplichting
        oplichters drama ramp
    """
)

NEGATORS = {
    "en": {
        "not",
        "no",
        "never",
        "n't",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "hardly",
        "barely",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "can't",
        "cannot",
        "couldn't",
        "wouldn't",
        "shouldn't",
        "haven't",
        "hasn't",
        "hadn't",
        "lack",
    },
    "nl": {
        "niet",
        "geen",
        "nooit",
        "niets",
        "niks",
        "niemand",
        "zonder",
        "nergens",
        "nauwelijks",
        "amper",
        "allerminst",
    },
}

# Words that change the strength of the next sentiment word: ×factor.
INTENSIFIERS = {
    "en": {
        "very": 1.5,
        "really": 1.4,
        "extremely": 1.8,
        "so": 1.3,
        "too": 1.3,
        "absolutely": 1.6,
        "incredibly": 1.7,
        "super": 1.5,
        "totally": 1.5,
        "completely": 1.5,
        "highly": 1.5,
        "truly": 1.4,
        "most": 1.4,
        "quite": 1.1,
        "particularly": 1.3,
        "utterly": 1.8,
        "slightly": 0.6,
        "somewhat": 0.7,
        "bit": 0.7,
        "little": 0.7,
        "fairly": 0.8,
        "rather": 0.8,
        "pretty": 1.2,
        "extra": 1.3,
    },
    "nl": {
        "heel": 1.5,
        "erg": 1.5,
        "zeer": 1.6,
        "echt": 1.4,
        "ontzettend": 1.8,
        "enorm": 1.7,
        "super": 1.5,
        "te": 1.3,
        "zo": 1.3,
        "bijzonder": 1.4,
        "hartstikke": 1.6,
        "vreselijk": 1.7,
        "uiterst": 1.8,
        "volledig": 1.5,
        "totaal": 1.5,
        "helemaal": 1.4,
        "best": 1.1,
        "vrij": 0.8,
        "nogal": 0.8,
        "beetje": 0.6,
        "wat": 0.9,
        "iets": 0.7,
        "redelijk": 0.8,
        "extra": 1.3,
        "bere": 1.6,
        "mega": 1.6,
    },
}

# "A but B": what follows the turn counts more, what precedes it less.
CONTRASTS = {
    "en": {"but", "however", "although", "though", "yet", "nevertheless", "except"},
    "nl": {"maar", "echter", "hoewel", "alleen", "toch", "desondanks", "behalve"},
}

# Irony: phrases that are never meant well, tags that turn praise around when the comment
# also complains ("top hoor" after a wrong bill), and repeat words right after praise
# ("Geweldig, alweer …", "Great, another …").
IRONY = {
    "nl": ("bedankt voor niets", "dank je de koekoek", "bedankt voor helemaal niets"),
    "en": ("thanks for nothing", "yeah right", "what a joke"),
}
SARCASM_TAGS = {
    "nl": (
        "top hoor",
        "fijn hoor",
        "lekker dan",
        "ja hoor",
        "nou lekker",
        "knap hoor",
        "goed geregeld hoor",
        "super hoor",
        "geweldig hoor",
    ),
    "en": (
        "thanks a lot",
        "just great",
        "just perfect",
        "oh great",
        "oh wonderful",
        "oh brilliant",
        "oh joy",
        "well done guys",
        "great job guys",
    ),
}
REPEATS = {
    "nl": frozenset({"alweer", "weer", "wéér", "opnieuw", "nogmaals"}),
    "en": frozenset({"again", "another", "once", "yet"}),
}

# Single words that end a negation's reach.
CLAUSE_ENDS = {"!", "?", ",", ";", ":", "and", "en", "or", "of", "because", "omdat", "want"}


def lexicon(language: str) -> dict[str, float]:
    return NL if language == "nl" else EN
