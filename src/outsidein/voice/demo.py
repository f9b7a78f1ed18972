"""Voice-of-the-customer demo data for Polderstroom Energie B.V.

``seed_voice_demo`` gives the demo organisation (``outsidein.core.demo``) a year of feedback:
four open surveys owned by the teams that act on them, some 22,000 survey responses and a few
thousand complaints, questions and reviews, with comments in Dutch and English written from
templates by theme. It uses one seeded ``random.Random`` only, writes everything through
``services.bulk_record`` (so the rollups stay in step) and does nothing once the organisation
has surveys.

The story the dashboard tells:

* more feedback in winter (energy bills), a dip in the summer holidays;
* on the first day of the month three months before ``now`` a new billing system went live.
  Two months of wrong bills and double debits follow: complaints to Facturatie triple, the
  relationship NPS drops by some twenty points, the billing CSAT halves and customer service
  queues grow. The third month recovers partly, the current one almost;
* the MKB segment's NPS is clearly below that of households throughout;
* installation effort (CES, lower is better) improves over the year as the planning of fitters
  moves to two-hour time slots.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from outsidein.core.demo import NL_FIRST
from outsidein.core.models import Customer, Organisation, Person, Segment, Team
from outsidein.voice import services
from outsidein.voice.models import Channel, Feedback, FeedbackKind, Question, Survey, Tag

# --- volumes ---------------------------------------------------------------------------------

RESPONSES = {"relatie": 9_600, "contact": 6_600, "jaarnota": 3_600, "installatie": 2_600}
BILLING_COMPLAINTS = 540
OTHER_COMPLAINTS = 960
QUESTIONS = 800
REVIEWS = 600

PARTIAL_SHARE = 0.03  # left after the score question
MONTHS_OF_HISTORY = 12

# More feedback in winter (energy bills), a dip in the summer holidays; by calendar month.
SEASON = {1: 1.30, 2: 1.22, 3: 1.12, 4: 1.00, 5: 0.95, 6: 0.88,
          7: 0.66, 8: 0.70, 9: 0.98, 10: 1.05, 11: 1.14, 12: 1.04}  # fmt: skip

# Monday … Sunday, and hour of the day 0–23, per kind of moment.
WEEKDAYS = {
    "evening": (1.20, 1.10, 1.05, 1.00, 0.95, 0.75, 0.85),  # answering an email at home
    "contact": (1.30, 1.15, 1.10, 1.05, 1.00, 0.40, 0.30),  # follows a weekday contact
    "office": (1.30, 1.15, 1.10, 1.05, 1.00, 0.25, 0.05),  # phone and email to the helpdesk
    "always": (1.00, 1.00, 1.00, 1.00, 1.05, 1.10, 1.15),  # review sites and social media
}
HOURS = {
    "evening": (1, 0.5, 0.2, 0.1, 0.1, 0.3, 1.5, 4, 6, 6, 5, 4, 5, 5, 4, 4, 4, 5, 6, 8, 9, 8, 5, 2),
    "contact": (0.5, 0.2, 0.1, 0.1, 0.1, 0.2, 1, 3, 5, 7, 7, 6, 6, 7, 7, 7, 7, 6, 5, 6, 6, 5, 3, 1),
    "office": (0, 0, 0, 0, 0, 0, 0, 0.5, 9, 10, 10, 9, 7, 8, 9, 9, 8, 6, 3, 2, 1, 0, 0, 0),
    "always": (2, 1, 0.5, 0.3, 0.3, 0.5, 1, 3, 4, 5, 5, 5, 6, 5, 5, 5, 5, 5, 6, 7, 8, 8, 6, 4),
}

# --- surveys -------------------------------------------------------------------------------------

SURVEYS: list[dict[str, Any]] = [
    {
        "key": "relatie",
        "name": "Relatie-NPS",
        "team": "klantbeleving",
        "template": "nps",
        "title_nl": "Wat vind je van Polderstroom?",
        "title_en": "What do you think of Polderstroom?",
        "intro_nl": "Twee vragen, minder dan een minuut. We lezen elke reactie.",
        "intro_en": "Two questions, less than a minute. We read every answer.",
        "thanks_nl": "Dank je wel! Met jouw antwoord maken we Polderstroom beter.",
        "thanks_en": "Thank you! Your answer helps us make Polderstroom better.",
        "allow_anonymous": True,  # the QR code on the annual statement and the website widget
        "allowed_origins": "https://www.polderstroom.example",
        "questions": [],
    },
    {
        "key": "contact",
        "name": "Klantcontact-CSAT",
        "team": "klantenservice",
        "template": "blank",
        "title_nl": "Hoe was je contact met onze klantenservice?",
        "title_en": "How was your contact with our customer service?",
        "intro_nl": "Je had onlangs contact met ons. Hoe ging dat?",
        "intro_en": "You were in touch with us recently. How did it go?",
        "thanks_nl": "Bedankt voor je reactie!",
        "thanks_en": "Thanks for your feedback!",
        "allow_anonymous": False,
        "questions": [
            {"key": "csat", "kind": "csat", "required": True,
             "text_nl": "Hoe tevreden ben je over het contact met onze klantenservice?",
             "text_en": "How satisfied are you with your contact with our customer service?"},
            {"key": "topic", "kind": "single",
             "text_nl": "Waarover nam je contact met ons op?",
             "text_en": "What did you contact us about?",
             "choices": [
                 {"value": "invoice", "nl": "Factuur of termijnbedrag", "en": "Bill or instalment"},
                 {"value": "move", "nl": "Verhuizing", "en": "Moving house"},
                 {"value": "readings", "nl": "Meterstanden", "en": "Meter readings"},
                 {"value": "contract", "nl": "Contract of tarieven", "en": "Contract or rates"},
                 {"value": "app", "nl": "App of klantportaal", "en": "App or customer portal"},
                 {"value": "other", "nl": "Iets anders", "en": "Something else"},
             ]},
            {"key": "reason", "kind": "text", "show_if": {"key": "csat", "max": 3},
             "text_nl": "Wat kunnen we beter doen?", "text_en": "What could we do better?"},
            {"key": "praise", "kind": "text", "show_if": {"key": "csat", "min": 4},
             "text_nl": "Wat ging er goed?", "text_en": "What went well?"},
        ],
    },
    {
        "key": "installatie",
        "name": "Installatie-CES",
        "team": "meters-installatie",
        "template": "blank",
        "title_nl": "Hoe ging de installatie?",
        "title_en": "How did the installation go?",
        "intro_nl": "Onze monteur was onlangs bij je. We horen graag hoe het ging.",
        "intro_en": "Our fitter visited you recently. We'd like to hear how it went.",
        "thanks_nl": "Dank je wel, we geven het door aan het team.",
        "thanks_en": "Thank you, we'll pass it on to the team.",
        "allow_anonymous": False,
        "questions": [
            {"key": "ces", "kind": "ces", "required": True,
             "text_nl": "Hoeveel moeite kostte het om je installatie geregeld te krijgen? "
                        "(1 = heel weinig, 7 = heel veel)",
             "text_en": "How much effort did it take to get your installation done? "
                        "(1 = very little, 7 = a lot)"},
            {"key": "job", "kind": "single",
             "text_nl": "Wat hebben we bij je geïnstalleerd?",
             "text_en": "What did we install for you?",
             "choices": [
                 {"value": "smart_meter", "nl": "Slimme meter", "en": "Smart meter"},
                 {"value": "solar", "nl": "Zonnepanelen", "en": "Solar panels"},
                 {"value": "charger", "nl": "Laadpaal", "en": "EV charger"},
                 {"value": "battery", "nl": "Thuisbatterij", "en": "Home battery"},
             ]},
            {"key": "reason", "kind": "text",
             "text_nl": "Wat maakte het lastig of juist makkelijk?",
             "text_en": "What made it hard, or easy?"},
        ],
    },
    {
        "key": "jaarnota",
        "name": "Jaarnota-CSAT",
        "team": "facturatie",
        "template": "blank",
        "title_nl": "Wat vind je van je jaarnota?",
        "title_en": "What do you think of your annual statement?",
        "intro_nl": "Je hebt je jaarnota ontvangen. Was die duidelijk?",
        "intro_en": "You have received your annual statement. Was it clear?",
        "thanks_nl": "Bedankt! Heb je nog een vraag over je nota? Bel ons gerust.",
        "thanks_en": "Thank you! Any questions about your statement? Do give us a call.",
        "allow_anonymous": False,
        "questions": [
            {"key": "csat", "kind": "csat", "required": True,
             "text_nl": "Hoe tevreden ben je over je jaarnota?",
             "text_en": "How satisfied are you with your annual statement?"},
            {"key": "clear", "kind": "single",
             "text_nl": "Was je jaarnota duidelijk?",
             "text_en": "Was your annual statement clear?",
             "choices": [
                 {"value": "yes", "nl": "Ja", "en": "Yes"},
                 {"value": "partly", "nl": "Gedeeltelijk", "en": "Partly"},
                 {"value": "no", "nl": "Nee", "en": "No"},
             ]},
            {"key": "reason", "kind": "text", "show_if": {"key": "csat", "max": 3},
             "text_nl": "Wat was er onduidelijk of niet goed?",
             "text_en": "What was unclear or wrong?"},
        ],
    },
]  # fmt: skip

CONTACT_TOPICS = ("invoice", "move", "readings", "contract", "app", "other")
TOPIC_THEME = {"invoice": "billing", "move": "switching", "readings": "app",
               "contract": "price", "app": "app", "other": "general"}  # fmt: skip
JOBS = ("smart_meter", "solar", "charger", "battery")
JOB_NAMES = {
    "nl": {"smart_meter": "slimme meter", "solar": "zonnepanelen", "charger": "laadpaal",
           "battery": "thuisbatterij"},
    "en": {"smart_meter": "smart meter", "solar": "solar panels", "charger": "EV charger",
           "battery": "home battery"},
}  # fmt: skip

# --- themes: who owns them, how they are tagged --------------------------------------------------

THEME_TEAM = {
    "billing": "facturatie", "billing_incident": "facturatie", "price": "klantenservice",
    "service": "klantenservice", "staff": "klantenservice", "app": "product",
    "installation": "meters-installatie", "green": "marketing", "switching": "klantenservice",
    "account": "accountmanagement", "general": "klantbeleving",
}  # fmt: skip
THEME_TAGS = {
    "billing": ("Factuur",), "billing_incident": ("Factuur", "Nieuw factuursysteem"),
    "price": ("Prijs",), "service": ("Bereikbaarheid",), "staff": ("Vriendelijk personeel",),
    "app": ("App & portaal",), "installation": ("Installatie",), "green": ("Duurzaamheid",),
    "switching": ("Verhuizen & contract",), "account": ("Accountmanagement",), "general": (),
}  # fmt: skip

# What a comment is about, given how the customer scored (business customers add "account").
THEMES_BY_TONE: dict[str, dict[str, float]] = {
    "neg": {"billing": 27, "price": 22, "service": 20, "app": 8, "installation": 7,
            "switching": 7, "staff": 3, "green": 2, "general": 4},
    "mix": {"general": 30, "price": 20, "billing": 12, "service": 12, "app": 10, "green": 6,
            "installation": 4, "switching": 3, "staff": 3},
    "pos": {"green": 28, "staff": 20, "general": 18, "app": 12, "price": 8, "installation": 6,
            "switching": 5, "billing": 3},
}  # fmt: skip
ACCOUNT_WEIGHT = {"neg": 16.0, "mix": 8.0, "pos": 12.0}

# --- comment templates ---------------------------------------------------------------------------
# BANK[theme][tone][language]: tone "neg" for detractors and low scores, "mix" for passives,
# "pos" for promoters. Slots in braces are filled from SLOTS (or the context: month, product).
# "B|" marks a sentence only a business customer would write.

Bank = dict[str, dict[str, dict[str, list[str]]]]

BANK: Bank = {
    "billing": {
        "neg": {
            "nl": [
                "Mijn jaarnota klopte niet: ik moest ineens {amount} bijbetalen zonder uitleg.",
                "Het {instalment} is verhoogd zonder dat iemand het me liet weten.",
                "De jaarafrekening is onbegrijpelijk. Waarom staan er twee verschillende "
                "meterstanden op?",
                "Ik heb {times} gebeld over een foute factuur en het is nog steeds niet opgelost.",
                "De terugbetaling van {amount} laat al {weeks} op zich wachten.",
                "Er is {amount} te veel afgeschreven en niemand kan me vertellen waarom.",
                "De nota is veel hoger dan het {instalment} deed vermoeden. Had graag eerder "
                "een waarschuwing gehad.",
                "Volgens jullie is de incasso mislukt, maar het geld is wel van mijn rekening.",
                "Onduidelijke factuur, ik snap niet welke tarieven jullie hebben gebruikt.",
                "Mijn betalingsregeling is zonder overleg stopgezet.",
                "Al {weeks} wacht ik op een gecorrigeerde factuur.",
                "De jaarnota van {month} rekent met een geschatte meterstand, terwijl ik de "
                "echte stand gewoon heb doorgegeven.",
                "B|Facturen komen steeds te laat, daardoor klopt onze administratie niet.",
            ],
            "en": [
                "My annual statement was wrong: suddenly I had to pay {amount} extra with no "
                "explanation.",
                "My monthly instalment went up without anyone telling me.",
                "The annual bill is impossible to understand. Why are there two different meter "
                "readings on it?",
                "I have called {times} about a wrong invoice and it is still not fixed.",
                "I've been waiting {weeks} for my refund of {amount}.",
                "You took {amount} too much from my account and nobody can tell me why.",
                "I can't work out which rates were used on my bill.",
                "Still waiting for a corrected invoice after {weeks}.",
                "The bill was far higher than the monthly payments suggested. A warning would "
                "have been nice.",
                "My {month} statement uses an estimated reading although I sent in the real one.",
                "The bills are all in Dutch, even though I asked for English.",
            ],
        },
        "mix": {
            "nl": [
                "Levering is prima, maar de jaarnota blijft lastig te lezen.",
                "Op zich tevreden, alleen is het {instalment} wel erg hoog ingeschat.",
                "De factuur was wat later dan normaal, verder geen klachten.",
                "Redelijk, al moest ik zelf achter mijn terugbetaling aan.",
                "De factuur klopte uiteindelijk, maar het duurde even voordat het uitgezocht was.",
                "Prima, maar leg op de jaarnota beter uit hoe het {instalment} is berekend.",
                "{okay}, alleen {billing_gripe}.",
                "{okay}, alleen {billing_gripe}.",
                "{okay}, alleen {billing_gripe}.",
            ],
            "en": [
                "Supply is fine, but the annual statement is still hard to read.",
                "Mostly happy, although the monthly instalment seems set too high.",
                "The invoice was a bit late this time, otherwise no complaints.",
                "The bill was sorted out in the end, but it took a while.",
                "Fine, but please explain better how the monthly instalment is calculated.",
                "{okay}, only {billing_gripe}.",
                "{okay}, only {billing_gripe}.",
            ],
        },
        "pos": {
            "nl": [
                "Duidelijke jaarnota en ik kreeg zelfs {amount} terug.",
                "Het {instalment} is netjes aangepast toen ik daarom vroeg.",
                "Facturen zijn altijd op tijd en overzichtelijk.",
                "Fijn dat ik mijn {instalment} zelf in de app kan aanpassen.",
                "De terugbetaling stond binnen een paar dagen op mijn rekening.",
                "Heldere nota, precies zoals verwacht.",
            ],
            "en": [
                "Clear annual statement and I even got {amount} back.",
                "They lowered my monthly instalment as soon as I asked.",
                "Invoices are always on time and easy to follow.",
                "Love that I can change my monthly payment myself in the app.",
                "The refund was in my account within a few days.",
            ],
        },
    },
    "billing_incident": {
        "neg": {
            "nl": [
                "Sinds jullie nieuwe factuursysteem klopt er niets meer van mijn nota.",
                "Dubbel afgeschreven deze maand: twee keer {amount}. Dit kan echt niet.",
                "Mijn {instalment} is ineens verdubbeld, zonder enige uitleg. En bellen lukt "
                "niet, de wachtrij is eindeloos.",
                "De nota van {month} gaat uit van een meterstand die ik nooit heb doorgegeven.",
                "Ik kreeg een factuur voor een adres waar ik al twee jaar niet meer woon.",
                "Sinds de overstap op het nieuwe systeem krijg ik geen facturen meer, "
                "maar wel aanmaningen.",
                "De teruglevering van mijn zonnepanelen staat ineens niet meer op de nota. "
                "Dat scheelt {amount}!",
                "Drie verschillende facturen in één week, allemaal met een ander bedrag. "
                "Welke moet ik nu betalen?",
                "Het afgeschreven bedrag klopt niet met de factuur in het klantportaal.",
                "Aanmaning ontvangen terwijl ik gewoon via automatische incasso betaal. "
                "Schandalig.",
                "Mijn korting is na jullie 'systeemupdate' van de nota verdwenen.",
                "Ik snap dat een nieuw systeem tijd kost, maar {weeks} zonder kloppende factuur "
                "is te lang.",
                "B|Als ondernemer heb ik kloppende facturen nodig voor de btw-aangifte. Die "
                "krijg ik sinds {month} niet meer.",
                "Nieuw factuursysteem, nieuwe fouten. Mijn termijnen zijn {times} afgeschreven.",
            ],
            "en": [
                "Since your new billing system nothing on my bill adds up anymore.",
                "Charged twice this month: {amount} two times. Unacceptable.",
                "My monthly payment suddenly doubled without any explanation, and I can't get "
                "through on the phone.",
                "The {month} bill uses a meter reading I never submitted.",
                "I received a bill for an address I moved out of two years ago.",
                "Since the switch to the new system I get no invoices, only payment reminders.",
                "The credit for my solar panels has disappeared from my bill. That's {amount}!",
                "Three different invoices in one week, each with a different amount. Which one "
                "am I supposed to pay?",
                "The amount you debited doesn't match the invoice in the portal.",
                "Got a payment reminder even though I pay by direct debit. Outrageous.",
                "I get that a new system takes time, but {weeks} without a correct invoice is "
                "too long.",
                "My discount vanished from the bill after your 'system update'.",
            ],
        },
        "mix": {
            "nl": [
                "De fout in mijn nota is na {weeks} hersteld. Prima, maar dit had niet mogen "
                "gebeuren.",
                "Jullie hebben de dubbele afschrijving teruggestort, maar ik moest er wel "
                "{times} voor bellen.",
                "Sinds het nieuwe factuursysteem is het even zoeken, maar het lijkt nu te kloppen.",
            ],
            "en": [
                "The error on my bill was fixed after {weeks}. Fine, but it should not have "
                "happened.",
                "You refunded the double charge, but I had to call {times} to get it done.",
                "Bit of a mess since the new billing system, but it seems right now.",
            ],
        },
    },
    "price": {
        "neg": {
            "nl": [
                "Jullie tarieven zijn flink hoger dan bij andere leveranciers.",
                "Het vastrecht is weer omhoog gegaan. Groen is mooi, maar het moet wel "
                "betaalbaar blijven.",
                "Nieuwe klanten krijgen een welkomstkorting en trouwe klanten betalen de "
                "hoofdprijs.",
                "De terugleverkosten voor zonnepanelen zijn belachelijk hoog.",
                "Prijsverhoging van {amount} per jaar, zonder goede uitleg.",
                "Te duur. Ik ga kijken of ik ergens anders goedkoper uit ben.",
                "B|Voor een klein bedrijf zijn jullie tarieven niet op te brengen.",
                "Jullie variabele tarief gaat sneller omhoog dan omlaag.",
            ],
            "en": [
                "Your rates are a lot higher than other suppliers'.",
                "Standing charges went up again. Green is nice, but it has to stay affordable.",
                "New customers get a welcome discount while loyal customers pay full price.",
                "The feed-in charges for solar panels are ridiculous.",
                "A price increase of {amount} a year, with no proper explanation.",
                "Too expensive. I'm going to look for a cheaper supplier.",
                "Your variable rate goes up faster than it comes down.",
            ],
        },
        "mix": {
            "nl": [
                "Goede service, maar de prijs is aan de hoge kant.",
                "Prima leverancier, al zijn jullie niet de goedkoopste.",
                "Tarieven zijn redelijk, maar het vastrecht mag omlaag.",
                "Ik betaal iets meer voor groen, dat vind ik oké, maar het verschil wordt wel "
                "groot.",
                "{okay}, maar {price_gripe}.",
                "{okay}, maar {price_gripe}.",
                "{okay}, maar {price_gripe}.",
                "Ik betaal zo'n {amount} per jaar meer dan bij mijn vorige leverancier. "
                "Het is wel groen.",
            ],
            "en": [
                "Good service, but the price is on the high side.",
                "Decent supplier, though not the cheapest.",
                "Rates are reasonable, but the standing charge could come down.",
                "{okay}, but {price_gripe}.",
                "{okay}, but {price_gripe}.",
            ],
        },
        "pos": {
            "nl": [
                "Eerlijke prijs voor echt groene stroom.",
                "Vaste prijs voor drie jaar, dus geen verrassingen. Top.",
                "Voor lokaal opgewekte stroom vind ik de prijs heel redelijk.",
                "Duidelijke tarieven zonder kleine lettertjes.",
            ],
            "en": [
                "Fair price for genuinely green electricity.",
                "Fixed price for three years, so no surprises. Great.",
                "Clear rates, no small print.",
            ],
        },
    },
    "service": {
        "neg": {
            "nl": [
                "{minutes} in de wacht gestaan en daarna werd de verbinding verbroken.",
                "Er werd beloofd dat ik teruggebeld zou worden, maar er is nooit iemand "
                "teruggekomen.",
                "De klantenservice is slecht bereikbaar, zeker 's avonds.",
                "Ik krijg bij elke medewerker een ander antwoord.",
                "Mijn e-mail is na {weeks} nog steeds niet beantwoord.",
                "De chat verwijst alleen maar door naar de veelgestelde vragen.",
                "Ik moest mijn verhaal {times} opnieuw vertellen.",
                "Na {minutes} wachten kreeg ik iemand die me niet kon helpen.",
                "Mijn probleem is 'doorgezet naar de afdeling', en daarna hoorde ik niets meer.",
                "Wachttijd van {minutes} voor een simpele vraag. Echt te gek.",
                "Ik heb {times} {tried} en {failed}.",
                "Ik heb {times} {tried} en {failed}.",
                "{minutes} gewacht en toen {failed}.",
            ],
            "en": [
                "Spent {minutes} on hold and then got cut off.",
                "I was promised a call back, but nobody ever called.",
                "Customer service is hard to reach, especially in the evening.",
                "Every agent tells me something different.",
                "My email still hasn't been answered after {weeks}.",
                "The chat just keeps sending me to the FAQ.",
                "I had to explain my story {times}.",
                "There's hardly any help in English when you call.",
                "Waited {minutes} for a simple question. Ridiculous.",
                "I {tried} {times} and {failed}.",
                "I {tried} {times} and {failed}.",
                "Waited {minutes} and then {failed}.",
            ],
        },
        "mix": {
            "nl": [
                "Uiteindelijk goed geholpen, maar een wachttijd van {minutes} is te lang.",
                "Vriendelijke medewerker, alleen moest ik wel lang wachten.",
                "Het antwoord klopte, maar het duurde {weeks} voordat ik het kreeg.",
                "Geholpen via de chat, al ging het wat stroef.",
                "{staffer} {praised}, maar ik moest wel {minutes} wachten.",
                "Na {minutes} wachten: {staffer_lc} {praised}.",
            ],
            "en": [
                "Got help in the end, but {minutes} on hold is too long.",
                "Friendly agent, but the wait was long.",
                "The answer was right, but it took {weeks} to get it.",
                "{staffer} {praised}, but I had to wait {minutes}.",
            ],
        },
        "pos": {
            "nl": [
                "Binnen een paar minuten iemand aan de lijn en direct geholpen.",
                "Snel antwoord via de chat, super.",
                "Ze belden netjes terug, precies op het afgesproken moment.",
                "Mijn vraag was in één keer opgelost.",
                "Goed bereikbaar en snel geholpen.",
                "Binnen {short_wait} aan de beurt en {staffer_lc} {praised}.",
                "Binnen {short_wait} antwoord via {contact_way}, {thanks}",
                "Via {contact_way} binnen {short_wait} geholpen.",
            ],
            "en": [
                "Someone answered within minutes and sorted it straight away.",
                "Quick answer through the chat, great.",
                "They called back exactly when they said they would.",
                "Solved in one go.",
                "Nice that they switched to English without any fuss.",
                "Through within {short_wait} and {staffer_lc} {praised}.",
                "An answer via {contact_way} within {short_wait}, {thanks}",
                "Helped via {contact_way} within {short_wait}.",
            ],
        },
    },
    "staff": {
        "neg": {
            "nl": [
                "De medewerker was kortaf en leek geen zin te hebben om te helpen.",
                "Ik voelde me niet serieus genomen.",
                "Onbeleefd behandeld aan de telefoon.",
            ],
            "en": [
                "The agent was curt and didn't seem interested in helping.",
                "I didn't feel taken seriously.",
            ],
        },
        "mix": {
            "nl": [
                "Aardige mensen, maar ze kunnen niet altijd iets voor je doen.",
                "{person} was vriendelijk, maar mijn vraag is nog niet helemaal opgelost.",
            ],
            "en": [
                "Nice people, but they can't always do much for you.",
                "{person} was friendly, but my question isn't fully answered yet.",
            ],
        },
        "pos": {
            "nl": [
                "{person} van de klantenservice dacht echt met me mee.",
                "Heel vriendelijke medewerker, nam alle tijd om het uit te leggen.",
                "Wat een fijne, behulpzame mensen aan de telefoon.",
                "{person} heeft mijn probleem direct opgelost. Complimenten!",
                "Persoonlijk contact, je bent geen nummer.",
                "Geduldig en duidelijk uitgelegd hoe mijn jaarnota is opgebouwd.",
                "Vriendelijk en deskundig, zo hoort het.",
                "Fijn dat ik gewoon iemand kon spreken in plaats van een chatbot.",
                "{person} belde zelf terug om te checken of alles goed ging. Heel attent.",
                "{staffer} {praised}.",
                "{staffer} {praised}.",
                "{staffer} {praised} en {praised2}.",
                "{staffer} {praised} en {praised2}.",
                "{staffer} {praised}, {thanks}",
                "Goed geholpen: {staffer_lc} {praised}.",
            ],
            "en": [
                "{person} from customer service really went the extra mile.",
                "Very friendly agent who took the time to explain everything.",
                "Such helpful people on the phone.",
                "{person} fixed my problem right away. Compliments!",
                "Personal contact, you are not just a number.",
                "Friendly and knowledgeable, that's how it should be.",
                "Great to talk to an actual person instead of a chatbot.",
                "{staffer} {praised}.",
                "{staffer} {praised}.",
                "{staffer} {praised} and {praised2}.",
                "{staffer} {praised}, {thanks}",
                "Great help: {staffer_lc} {praised}.",
            ],
        },
    },
    "app": {
        "neg": {
            "nl": [
                "De app logt me steeds uit.",
                "Meterstanden doorgeven via {app} lukt niet, ik krijg een foutmelding.",
                "Het verbruik in de app loopt dagen achter.",
                "{app_cap} is traag en onoverzichtelijk.",
                "Sinds de laatste update kan ik niet meer inloggen.",
                "Ik kan mijn facturen niet downloaden in {app}.",
            ],
            "en": [
                "The app keeps logging me out.",
                "Submitting meter readings in {app} fails with an error.",
                "The usage in the app is days behind.",
                "{app_cap} is slow and confusing.",
                "Since the last update I can't log in anymore.",
                "The app is only half translated into English.",
            ],
        },
        "mix": {
            "nl": [
                "De app is handig, maar de grafieken laden traag.",
                "{okay}, maar {app_gripe}.",
                "{okay}, maar {app_gripe}.",
                "{app_cap} werkt, maar ik mis inzicht per uur.",
                "Handige app, al zou ik graag een melding krijgen bij hoog verbruik.",
            ],
            "en": [
                "The app is handy, but the charts load slowly.",
                "{okay}, but {app_gripe}.",
                "{app_cap} works, but I miss hourly insight.",
            ],
        },
        "pos": {
            "nl": [
                "De app geeft precies inzicht in mijn verbruik en opwek. Top!",
                "Handig dat ik in de app zie hoeveel mijn zonnepanelen opleveren.",
                "Meterstanden doorgeven ging heel makkelijk via {app}.",
                "Mooie app, ik kijk er bijna elke dag in.",
                "Door de verbruiksgrafiek in de app ga ik bewuster met stroom om.",
                "In {app} {app_feature}. Heel handig.",
                "In {app} {app_feature}. Heel handig.",
            ],
            "en": [
                "The app shows exactly what I use and produce. Great!",
                "Handy to see in the app what my solar panels produce.",
                "Submitting my meter readings through {app} was really easy.",
                "Nice app, I check it almost every day.",
                "In {app} {app_feature}. Very handy.",
            ],
        },
    },
    "installation": {
        "neg": {
            "nl": [
                "De monteur kwam niet opdagen en ik had er een dag vrij voor genomen.",
                "Ik moest {weeks} wachten op een afspraak voor mijn {product}.",
                "Een tijdvak van 8 tot 17 uur is echt niet meer van deze tijd.",
                "Na de installatie van mijn {product} werkte het een week lang niet.",
                "De afspraak is {times} verzet, steeds op het laatste moment.",
                "De monteur had de verkeerde onderdelen bij zich, dus een nieuwe afspraak.",
                "Rommel achtergelaten in de meterkast na het plaatsen van de {product}.",
                "Niemand kon me vertellen wanneer de monteur zou komen.",
                "{fitter} {botched}.",
                "{fitter} {botched} en {botched2}.",
                "Voor mijn {product} {botched_plan}.",
            ],
            "en": [
                "The fitter never showed up and I had taken a day off for it.",
                "I had to wait {weeks} for an appointment for my {product}.",
                "A time slot from 8 to 5 is really not acceptable these days.",
                "After installing my {product} it didn't work for a week.",
                "The appointment was moved {times}, always at the last minute.",
                "The fitter brought the wrong parts, so another appointment.",
                "Nobody could tell me when the fitter would arrive.",
                "{fitter} {botched}.",
                "{fitter} {botched} and {botched2}.",
                "For my {product}, {botched_plan}.",
            ],
        },
        "mix": {
            "nl": [
                "De installatie van de {product} was goed, maar het plannen duurde lang.",
                "De monteur was prima, de communicatie vooraf kon beter.",
                "Netjes geplaatst, alleen moest ik zelf nog achter de aanmelding aan.",
            ],
            "en": [
                "The {product} was installed well, but scheduling took long.",
                "The fitter was fine, communication beforehand could be better.",
            ],
        },
        "pos": {
            "nl": [
                "De monteur was precies op tijd, werkte netjes en legde alles uit.",
                "Binnen een week een afspraak en de {product} was in een uur geplaatst.",
                "Fijn dat ik een tijdvak van twee uur kreeg en een berichtje toen de monteur "
                "onderweg was.",
                "Alles in één keer goed geregeld, van offerte tot installatie.",
                "De {product} werkt perfect en is netjes weggewerkt.",
                "Afspraak maken ging online in twee minuten.",
                "{person} was een vakkundige en vriendelijke monteur.",
                "{fitter} {fitted}.",
                "{fitter} {fitted}.",
                "{fitter} {fitted} en {fitted2}.",
                "{fitter} {fitted} en {fitted2}.",
                "Afspraak maken ging {easy} en {fitter_lc} {fitted}.",
                "De {product} is geplaatst en {fitter_lc} {fitted}.",
            ],
            "en": [
                "The fitter was right on time, worked tidily and explained everything.",
                "An appointment within a week and the {product} was in within an hour.",
                "Great to get a two-hour time slot and a message when the fitter was on the way.",
                "Everything done right first time, from quote to installation.",
                "The {product} works perfectly and was fitted neatly.",
                "Booking the appointment online took two minutes.",
                "{fitter} {fitted}.",
                "{fitter} {fitted}.",
                "{fitter} {fitted} and {fitted2}.",
                "Booking was {easy} and {fitter_lc} {fitted}.",
                "The {product} is in and {fitter_lc} {fitted}.",
            ],
        },
    },
    "green": {
        "neg": {
            "nl": [
                "Ik las dat jullie toch stroom inkopen met buitenlandse garanties van oorsprong. "
                "Teleurstellend.",
                "Minder marketing over duurzaamheid en meer aandacht voor de basis graag.",
            ],
            "en": [
                "I read that you still buy power with foreign guarantees of origin. Disappointing.",
                "Less marketing about sustainability and more attention to the basics, please.",
            ],
        },
        "mix": {
            "nl": [
                "Mooi dat het groen is, maar dat mag wel iets goedkoper.",
                "Goede missie, de uitvoering kan nog beter.",
            ],
            "en": [
                "Nice that it's green, but it could be a bit cheaper.",
                "Good mission, the execution could be better.",
            ],
        },
        "pos": {
            "nl": [
                "Fijn dat mijn stroom echt van Nederlandse wind en zon komt.",
                "Ik kies bewust voor Polderstroom omdat jullie lokale energiecoöperaties steunen.",
                "Eindelijk een leverancier die echt groen is en geen sjoemelstroom verkoopt.",
                "Goed dat ik kan zien van welk windpark mijn stroom komt.",
                "Duurzaam, transparant en betrokken. Precies wat ik zoek.",
                "Jullie steunen onze buurtcoöperatie, daar ben ik blij mee.",
                "Stroom van zonnedaken uit de regio, dat voelt goed.",
                "{green_praise_cap}, dat vind ik belangrijk.",
                "Ik ben overgestapt omdat {green_reason}.",
                "Ik ben overgestapt omdat {green_reason}.",
            ],
            "en": [
                "Great that my power really comes from Dutch wind and sun.",
                "I chose Polderstroom because you support local energy cooperatives.",
                "Finally a supplier that is genuinely green.",
                "Good that I can see which wind farm my electricity comes from.",
                "Sustainable, transparent and involved. Exactly what I was looking for.",
                "I switched because {green_reason}.",
                "I switched because {green_reason}.",
            ],
        },
    },
    "switching": {
        "neg": {
            "nl": [
                "Mijn verhuizing is niet goed doorgevoerd, ik betaal nu voor twee adressen.",
                "Overstappen ging mis: de leveringsdatum is {times} veranderd.",
                "Mijn contract is verlengd zonder dat ik daar toestemming voor gaf.",
                "De opzegging van mijn oude adres is na {weeks} nog niet verwerkt.",
                "Een opzegboete terwijl ik alleen maar ga verhuizen.",
            ],
            "en": [
                "My move wasn't processed properly, now I'm paying for two addresses.",
                "Switching went wrong: the start date changed {times}.",
                "My contract was renewed without my consent.",
                "Cancelling my old address still isn't processed after {weeks}.",
                "A cancellation fee even though I'm only moving house.",
            ],
        },
        "mix": {
            "nl": [
                "Verhuizing doorgeven ging goed, al moest ik de eindstanden zelf nog nabellen.",
                "Overstappen ging redelijk, maar de welkomstmail kwam pas na {weeks}.",
            ],
            "en": [
                "Reporting my move went fine, though I had to chase the final readings myself.",
            ],
        },
        "pos": {
            "nl": [
                "Overstappen ging vanzelf, ik hoefde niets te doen.",
                "Verhuizing was in vijf minuten online geregeld.",
                "Makkelijk overgestapt en netjes op de hoogte gehouden.",
            ],
            "en": [
                "Switching happened by itself, I didn't have to do a thing.",
                "Moving house was sorted online in five minutes.",
                "Easy switch and kept nicely informed.",
            ],
        },
    },
    "account": {
        "neg": {
            "nl": [
                "Onze accountmanager is al {weeks} onbereikbaar.",
                "Als MKB'er voel ik me een nummer, we hebben geen vast aanspreekpunt meer.",
                "Het maatwerkcontract sluit niet aan bij ons verbruik, maar niemand denkt mee.",
                "De offerte voor de verlenging liet {weeks} op zich wachten.",
                "Voor een bedrijf zijn de termijnbedragen veel te hoog ingeschat.",
                "Als ondernemer wil ik één aanspreekpunt, niet elke keer de algemene helpdesk.",
            ],
            "en": [
                "Our account manager has been unreachable for {weeks}.",
                "As a small business we feel like a number; no fixed contact anymore.",
                "The quote for our renewal took {weeks} to arrive.",
                "For a business the monthly instalments are estimated far too high.",
            ],
        },
        "mix": {
            "nl": [
                "De accountmanager is goed, maar reageert traag.",
                "Prima contract, al zouden we graag vaker advies krijgen over ons verbruik.",
            ],
            "en": ["Our account manager is good, but slow to respond."],
        },
        "pos": {
            "nl": [
                "Onze accountmanager {person} kent ons bedrijf en denkt echt mee.",
                "Goed advies over ons verbruik, we besparen nu flink.",
                "Snel een scherpe offerte voor de verlenging.",
                "Fijn dat we één vast aanspreekpunt hebben.",
            ],
            "en": [
                "Our account manager {person} knows our business and really thinks along.",
                "Good advice on our usage, we're saving a lot now.",
                "A sharp quote for the renewal, quickly.",
            ],
        },
    },
    "general": {
        "neg": {
            "nl": [
                "Slechte ervaring, op alle fronten.",
                "Niets gaat in één keer goed bij jullie.",
                "Ik heb spijt dat ik ben overgestapt.",
            ],
            "en": ["Bad experience all round.", "Nothing goes right the first time with you."],
        },
        "mix": {
            "nl": [
                "Doet wat het moet doen.",
                "Geen klachten, maar ook geen wow.",
                "Gemiddeld, niets bijzonders.",
                "Prima, maar ik merk geen verschil met andere leveranciers.",
                "Stroom is stroom. Het werkt.",
                "Tevreden, verder geen klachten.",
                "Niks mis mee.",
                "Gewoon goed.",
                "{okay}, maar {could_improve}.",
                "{okay}, maar {could_improve}.",
            ],
            "en": [
                "Does what it should.",
                "No complaints, but nothing special either.",
                "Average, nothing stands out.",
                "Fine, but no different from other suppliers.",
                "It works.",
                "{okay}, but {could_improve}.",
            ],
        },
        "pos": {
            "nl": [
                "Alles werkt gewoon, nooit gedoe.",
                "Goede leverancier, ik raad jullie aan bij iedereen.",
                "Betrouwbaar en duidelijk.",
                "Al jaren tevreden klant.",
                "Prima bedrijf!",
                "Helemaal tevreden.",
                "Alles is goed geregeld.",
                "{good} leverancier, {good_reason}.",
                "{good} leverancier, {good_reason}.",
                "{good_reason_cap}, daarom ben ik klant.",
            ],
            "en": [
                "Everything just works, never any hassle.",
                "Good supplier, I recommend you to everyone.",
                "Reliable and clear.",
                "Happy customer for years.",
                "Very satisfied.",
                "{good} supplier, {good_reason}.",
                "{good} supplier, {good_reason}.",
            ],
        },
    },
}

OPENERS = {
    "neg": {"nl": ["Helaas.", "Ik ben er klaar mee.", "Jammer.", "Wat een gedoe.",
                   "Echt niet oké.", "Balen."],
            "en": ["Sadly.", "I've had enough.", "What a hassle.", "Really not okay."]},
    "mix": {"nl": ["Tja.", "Op zich oké.", "Gemengd gevoel."],
            "en": ["Well.", "Mostly okay.", "Mixed feelings."]},
    "pos": {"nl": ["Top!", "Heel tevreden.", "Wat fijn.", "Prima!"],
            "en": ["Great!", "Very happy.", "Lovely."]},
}  # fmt: skip
CLOSERS = {
    "neg": {"nl": ["Doe hier iets aan!", "Ik overweeg over te stappen.",
                   "Graag snel een oplossing.", "Zo raak je klanten kwijt.",
                   "Echt teleurstellend.", "Dit moet beter."],
            "en": ["Please fix this!", "I'm thinking of switching.", "Please sort this out soon.",
                   "This is how you lose customers.", "Really disappointing."]},
    "mix": {"nl": ["Verder prima.", "Voor de rest geen klachten.", "Kan beter, maar het gaat.",
                   "Met wat verbeteringen een 9."],
            "en": ["Otherwise fine.", "No other complaints.", "Could be better, but okay."]},
    "pos": {"nl": ["Ga zo door!", "Dank jullie wel!", "Ik raad jullie zeker aan.",
                   "Complimenten!", "Blijf zo doorgaan."],
            "en": ["Keep it up!", "Thank you!", "Would definitely recommend.", "Well done!"]},
}  # fmt: skip

SlotFiller = Sequence[str] | Callable[[random.Random], str]

SLOTS: dict[str, dict[str, SlotFiller]] = {
    "nl": {
        "amount": lambda rng: f"€ {rng.randint(35, 460)}",
        "minutes": lambda rng: f"{rng.randint(3, 15) * 5} minuten",
        "weeks": ["twee weken", "drie weken", "een maand", "zes weken", "ruim een week",
                  "bijna twee maanden"],
        "times": ["twee keer", "drie keer", "vier keer", "meerdere keren", "al vijf keer"],
        "instalment": ["termijnbedrag", "maandbedrag", "voorschot"],
        "app": ["de app", "het klantportaal", "Mijn Polderstroom"],
        "app_cap": ["De app", "Het klantportaal", "Mijn Polderstroom"],
        "product": ["slimme meter", "laadpaal", "zonnepanelen", "thuisbatterij"],
        "person": NL_FIRST,
        "staffer": ["De medewerker", "De medewerker aan de telefoon", "De chatmedewerker",
                    "De dame van de klantenservice", "De meneer van de klantenservice",
                    "{person}", "{person} van de klantenservice", "Mijn contactpersoon"],
        "staffer_lc": ["de medewerker", "de chatmedewerker", "{person}",
                       "{person} van de klantenservice", "de dame aan de telefoon"],
        "praised": ["was heel vriendelijk", "dacht echt met me mee", "nam alle tijd voor me",
                    "legde alles duidelijk uit", "loste mijn vraag meteen op",
                    "was geduldig en deskundig", "belde netjes terug zoals beloofd",
                    "regelde alles in één gesprek", "wist precies waar het over ging",
                    "was heel behulpzaam", "bleef rustig en vriendelijk"],
        "thanks": ["dank je wel!", "top!", "complimenten.", "heel fijn.", "zo kan het dus ook."],
        "fitter": ["De monteur", "Monteur {person}", "{person}", "De monteur van Polderstroom",
                   "Onze monteur"],
        "fitter_lc": ["de monteur", "monteur {person}", "{person}"],
        "fitted": ["was precies op tijd", "werkte heel netjes", "legde alles goed uit",
                   "liet alles schoon achter", "was binnen een uur klaar",
                   "nam de tijd om de app uit te leggen", "had alles bij zich",
                   "stuurde een berichtje toen hij onderweg was", "was vriendelijk en vakkundig"],
        "botched": ["kwam twee uur te laat", "had de verkeerde onderdelen bij zich",
                    "liet een rommel achter", "kon niets uitleggen", "moest alsnog terugkomen",
                    "kwam helemaal niet opdagen", "belde pas af toen ik al uren wachtte"],
        "botched_plan": ["moest ik {weeks} op een afspraak wachten",
                         "is de afspraak {times} verzet",
                         "kreeg ik een tijdvak van de hele dag",
                         "hoorde ik {weeks} helemaal niets"],
        "easy": ["online in twee minuten", "heel makkelijk", "zonder gedoe", "snel via de app",
                 "prima"],
        "tried": ["gebeld", "gemaild", "gechat", "via de app contact gezocht"],
        "failed": ["niemand kon me helpen", "ik werd steeds doorverbonden",
                   "de verbinding werd verbroken", "ik kreeg elke keer een ander antwoord",
                   "ze zouden terugbellen, maar dat gebeurde niet",
                   "ik kreeg alleen een standaardantwoord"],
        "short_wait": ["twee minuten", "een paar minuten", "vijf minuten", "no time"],
        "contact_way": ["de chat", "de telefoon", "WhatsApp", "de app", "e-mail"],
        "good": ["Fijne", "Prima", "Betrouwbare", "Goede", "Heldere", "Eerlijke"],
        "good_reason": ["nooit gedoe", "alles klopt", "echt groen", "altijd goed bereikbaar",
                        "duidelijke communicatie", "je wordt serieus genomen",
                        "eerlijke prijzen"],
        "good_reason_cap": ["Nooit gedoe", "Alles klopt", "Echt groene stroom",
                            "Altijd goed bereikbaar", "Duidelijke communicatie"],
        "okay": ["Prima", "Op zich goed", "Redelijk", "Niks mis mee", "Best oké", "Tevreden"],
        "could_improve": ["de app kan beter", "de prijs mag wat lager",
                          "de jaarnota kan duidelijker", "de wachttijd aan de telefoon is lang",
                          "er mag wat meer persoonlijk contact zijn",
                          "de communicatie kan beter"],
        "green_praise_cap": ["Echt Nederlandse wind- en zonnestroom",
                             "Stroom van lokale coöperaties", "Eerlijk groen, geen sjoemelstroom",
                             "Transparant over waar de stroom vandaan komt"],
        "green_reason": ["jullie echt groen zijn", "jullie lokale coöperaties steunen",
                         "mijn stroom uit Nederlandse wind en zon komt",
                         "jullie eerlijk zijn over de herkomst van de stroom",
                         "de buurt er ook iets aan heeft"],
        "price_gripe": ["het vastrecht mag omlaag", "groen mag best iets goedkoper",
                        "jullie zijn niet de goedkoopste", "de terugleverkosten zijn fors",
                        "het termijnbedrag is best hoog",
                        "de prijsverhoging kwam als een verrassing",
                        "trouwe klanten mogen ook weleens korting krijgen"],
        "billing_gripe": ["de jaarnota blijft lastig te lezen", "de factuur kwam wat laat",
                          "ik moest zelf achter mijn terugbetaling aan",
                          "het {instalment} is te hoog ingeschat",
                          "de meterstanden op de nota waren geschat",
                          "de factuur staat niet altijd meteen in de app"],
        "app_gripe": ["de app logt me vaak uit", "de grafieken laden traag",
                      "ik mis inzicht per uur", "meterstanden doorgeven gaat niet altijd goed",
                      "de app kan overzichtelijker"],
        "app_feature": ["zie ik precies wat mijn zonnepanelen opleveren",
                        "zie ik mijn verbruik per dag",
                        "geef ik mijn meterstanden in een minuut door",
                        "pas ik mijn termijnbedrag zelf aan", "zie ik wanneer stroom goedkoop is"],
    },
    "en": {
        "amount": lambda rng: f"€{rng.randint(35, 460)}",
        "minutes": lambda rng: f"{rng.randint(3, 15) * 5} minutes",
        "weeks": ["two weeks", "three weeks", "a month", "six weeks", "over a week",
                  "almost two months"],
        "times": ["twice", "three times", "four times", "several times", "five times already"],
        "app": ["the app", "the customer portal", "My Polderstroom"],
        "app_cap": ["The app", "The customer portal", "My Polderstroom"],
        "product": ["smart meter", "EV charger", "solar panels", "home battery"],
        "person": NL_FIRST,
        "staffer": ["The agent", "The agent on the phone", "The chat agent",
                    "The lady from customer service", "The guy from customer service",
                    "{person}", "{person} from customer service"],
        "staffer_lc": ["the agent", "the chat agent", "{person}", "{person} from customer service"],
        "praised": ["was really friendly", "really thought along with me",
                    "took all the time I needed", "explained everything clearly",
                    "solved my question right away", "was patient and knowledgeable",
                    "called back as promised", "sorted everything in one call",
                    "switched to English without any fuss", "was very helpful"],
        "thanks": ["thank you!", "great!", "well done.", "much appreciated."],
        "fitter": ["The fitter", "{person}, the fitter,", "{person}", "Your engineer"],
        "fitter_lc": ["the fitter", "{person}"],
        "fitted": ["was right on time", "worked very tidily", "explained everything well",
                   "left everything clean", "was done within an hour",
                   "took the time to explain the app", "texted when he was on his way",
                   "was friendly and skilled"],
        "botched": ["was two hours late", "brought the wrong parts", "left a mess",
                    "couldn't explain anything", "had to come back anyway", "never showed up"],
        "botched_plan": ["I waited {weeks} for an appointment",
                         "the appointment was moved {times}",
                         "I got an all-day time slot", "I heard nothing for {weeks}"],
        "easy": ["easy", "done online in two minutes", "no hassle", "quick in the app"],
        "tried": ["called", "emailed", "chatted", "tried the app"],
        "failed": ["nobody could help me", "I kept being transferred", "got cut off",
                   "got a different answer each time", "they'd call back, but never did",
                   "only got a standard reply"],
        "short_wait": ["two minutes", "a few minutes", "five minutes"],
        "contact_way": ["the chat", "the phone", "WhatsApp", "the app", "email"],
        "good": ["Great", "Reliable", "Good", "Honest", "Fair"],
        "good_reason": ["never any hassle", "everything is correct", "truly green",
                        "always easy to reach", "clear communication", "fair prices"],
        "okay": ["Fine", "Good enough", "Decent", "Nothing wrong with it", "Happy enough"],
        "could_improve": ["the app could be better", "the price could be lower",
                          "the annual statement could be clearer", "phone waits are long",
                          "more in English would help"],
        "green_reason": ["you're genuinely green", "you support local cooperatives",
                         "my power comes from Dutch wind and sun",
                         "you're honest about where the power comes from"],
        "price_gripe": ["the standing charge could come down", "green could be a bit cheaper",
                        "you're not the cheapest", "the feed-in charges are steep",
                        "the price increase came as a surprise"],
        "billing_gripe": ["the annual statement is hard to read", "the invoice came late",
                          "I had to chase my refund myself",
                          "the monthly instalment is set too high",
                          "the readings on the bill were estimates"],
        "app_gripe": ["the app often logs me out", "the charts load slowly",
                      "I miss hourly insight", "the app is only partly in English"],
        "app_feature": ["I can see exactly what my solar panels produce",
                        "I can see my daily usage", "I submit my meter readings in a minute",
                        "I can change my monthly payment myself"],
    },
}  # fmt: skip

MONTH_NAMES = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip

# Complaint subjects, questions (subject, text) and review titles, by theme and language.
COMPLAINT_SUBJECTS: dict[str, dict[str, list[str]]] = {
    "billing": {"nl": ["Klacht over jaarnota", "Factuur klopt niet", "Probleem met factuur",
                       "Klacht facturatie"],
                "en": ["Complaint about my bill", "Invoice is wrong", "Billing problem"]},
    "billing_incident": {"nl": ["Factuur klopt niet sinds systeemwijziging",
                                "Problemen met nieuwe nota", "Klacht nieuw factuursysteem",
                                "Fout in nota of afschrijving"],
                         "en": ["Bill wrong since system change", "Problems with the new bill",
                                "Complaint about the new billing system"]},
    "price": {"nl": ["Klacht over tarieven", "Prijs te hoog", "Tarieven"],
              "en": ["Complaint about rates", "Price too high"]},
    "service": {"nl": ["Slecht bereikbaar", "Klacht over klantenservice", "Niet geholpen"],
                "en": ["Hard to reach", "Complaint about customer service", "Not helped"]},
    "staff": {"nl": ["Klacht over medewerker"], "en": ["Complaint about an agent"]},
    "app": {"nl": ["App werkt niet goed", "Probleem met klantportaal", "Klacht over de app"],
            "en": ["App not working properly", "Problem with the customer portal"]},
    "installation": {"nl": ["Klacht over installatie", "Probleem met monteursafspraak"],
                     "en": ["Complaint about installation", "Problem with fitter appointment"]},
    "switching": {"nl": ["Verhuizing of contract niet goed verwerkt", "Klacht over contract"],
                  "en": ["Move or contract not processed correctly", "Contract complaint"]},
    "account": {"nl": ["Klacht accountmanagement", "Klacht zakelijke dienstverlening"],
                "en": ["Complaint about account management"]},
    "green": {"nl": ["Vraag over groene stroom"], "en": ["Question about green electricity"]},
}  # fmt: skip

QUESTION_BANK: dict[str, dict[str, list[tuple[str, str]]]] = {
    "billing": {
        "nl": [("Termijnbedrag aanpassen", "Kan ik mijn termijnbedrag verlagen? Sinds ik "
                "zonnepanelen heb verbruik ik veel minder."),
               ("Uitleg jaarnota", "Kunnen jullie uitleggen hoe mijn jaarnota is opgebouwd?"),
               ("Betalingsregeling", "Is een betalingsregeling mogelijk voor de jaarnota van "
                "{amount}?"),
               ("Wanneer komt mijn terugbetaling?", "Wanneer wordt mijn tegoed van {amount} "
                "teruggestort?"),
               ("Factuur op ander e-mailadres", "Kunnen de facturen voortaan naar een ander "
                "e-mailadres?")],
        "en": [("Change monthly instalment", "Can I lower my monthly payment? I use much less "
                "since I got solar panels."),
               ("Explain annual statement", "Could you explain how my annual statement is "
                "calculated?"),
               ("Payment plan", "Is a payment plan possible for my annual bill of {amount}?"),
               ("When is my refund coming?", "When will my credit of {amount} be paid back?")],
    },
    "billing_incident": {
        "nl": [("Twee facturen ontvangen", "Ik heb twee facturen ontvangen met een ander bedrag. "
                "Welke is de juiste?"),
               ("Nieuw klantnummer?", "Op mijn nieuwe nota staat een ander klantnummer. "
                "Klopt dat?"),
               ("Incassodatum gewijzigd", "Mijn incasso is ineens op een andere datum. Is er "
                "iets veranderd?"),
               ("Nota in nieuw portaal", "Ik kan mijn oude facturen niet meer vinden in het "
                "portaal. Waar staan ze?")],
        "en": [("Received two invoices", "I got two invoices with different amounts. Which one "
                "is correct?"),
               ("New customer number?", "My new bill shows a different customer number. "
                "Is that right?"),
               ("Debit date changed", "My direct debit suddenly moved to another date. Did "
                "something change?")],
    },
    "app": {
        "nl": [("Meterstand doorgeven", "Hoe geef ik mijn meterstanden door in de app?"),
               ("Wachtwoord vergeten", "Ik kom niet meer in Mijn Polderstroom. Hoe reset ik mijn "
                "wachtwoord?"),
               ("Verbruik per uur", "Kan ik mijn verbruik per uur zien in de app?")],
        "en": [("Submitting meter readings", "How do I submit my meter readings in the app?"),
               ("Forgot password", "I can't get into My Polderstroom. How do I reset my "
                "password?"),
               ("App in English", "Is the app available in English?")],
    },
    "installation": {
        "nl": [("Slimme meter aanvragen", "Hoe lang duurt het voordat ik een slimme meter krijg?"),
               ("Laadpaal bij appartement", "Plaatsen jullie ook laadpalen bij een appartement?"),
               ("Zonnepanelen", "Wat kost een installatie van zonnepanelen via jullie?"),
               ("Thuisbatterij", "Is een thuisbatterij interessant nu de salderingsregeling "
                "stopt?")],
        "en": [("Requesting a smart meter", "How long does it take to get a smart meter?"),
               ("EV charger for an apartment", "Do you install EV chargers at apartments too?"),
               ("Solar panels", "What does a solar panel installation through you cost?")],
    },
    "switching": {
        "nl": [("Verhuizen", "Ik ga volgende maand verhuizen. Hoe geef ik dat door?"),
               ("Contract verlengen", "Mijn contract loopt af. Wat zijn mijn opties?"),
               ("Dynamisch contract", "Kan ik overstappen naar een dynamisch contract?")],
        "en": [("Moving house", "I'm moving next month. How do I let you know?"),
               ("Renewing my contract", "My contract is ending. What are my options?"),
               ("Dynamic contract", "Can I switch to a dynamic contract?")],
    },
    "price": {
        "nl": [("Nieuwe tarieven", "Wat worden de nieuwe tarieven per januari?"),
               ("Terugleverkosten", "Hoe worden de terugleverkosten berekend?")],
        "en": [("New rates", "What will the new rates be from January?"),
               ("Feed-in charges", "How are the feed-in charges calculated?")],
    },
    "green": {
        "nl": [("Herkomst stroom", "Waar komt mijn stroom precies vandaan?"),
               ("Coöperatie starten", "Onze buurt wil een energiecoöperatie starten. Kunnen "
                "jullie helpen?")],
        "en": [("Origin of my electricity", "Where exactly does my electricity come from?")],
    },
    "account": {
        "nl": [("Meerdere vestigingen", "Wij willen meerdere vestigingen onder één contract. "
                "Kan dat?"),
               ("Btw op factuur", "Kunnen jullie de btw apart vermelden op onze facturen?"),
               ("Verbruiksadvies", "Kan onze accountmanager eens langskomen voor advies over "
                "ons verbruik?")],
        "en": [("Several locations", "We'd like all our locations under one contract. "
                "Is that possible?"),
               ("VAT on invoices", "Could you show VAT separately on our invoices?")],
    },
}  # fmt: skip

GREETINGS = {
    "nl": ["Hallo,", "Goedemorgen,", "Goedemiddag,", "Beste Polderstroom,", "Hoi,",
           "Vraagje:", "Beste klantenservice,"],
    "en": ["Hello,", "Hi,", "Good morning,", "Dear Polderstroom,", "Quick question:"],
}  # fmt: skip
SIGN_OFFS = {
    "nl": ["Alvast bedankt!", "Groetjes.", "Met vriendelijke groet.", "Dank!", "Hoor graag van "
           "jullie.", "Bedankt voor het uitzoeken."],
    "en": ["Thanks in advance!", "Kind regards.", "Thanks!", "Looking forward to hearing from "
           "you."],
}  # fmt: skip

REVIEW_TITLES = {
    "pos": {"nl": ["Aanrader!", "Prima leverancier", "Top bedrijf", "Zeer tevreden",
                   "Fijne leverancier", "Heel tevreden", "Goed bezig"],
            "en": ["Recommended!", "Great supplier", "Very happy", "Lovely company"]},
    "mix": {"nl": ["Redelijk", "Kan beter", "Prima, maar…", "Gemiddeld"],
            "en": ["Okay", "Could be better", "Fine, but…"]},
    "neg": {"nl": ["Slechte ervaring", "Blijf weg", "Teleurgesteld", "Niet tevreden",
                   "Hier word je niet blij van"],
            "en": ["Bad experience", "Stay away", "Disappointed", "Not happy"]},
}  # fmt: skip


# --- the calendar of the story -------------------------------------------------------------------


def billing_go_live(now: datetime) -> date:
    """The day the new billing system went live: the first of the month three months before
    ``now``'s month (local time). That month and the next are the problem months."""
    today = timezone.localtime(now).date()
    months = today.year * 12 + today.month - 1 - 3
    return date(months // 12, months % 12 + 1, 1)


def history_start(now: datetime) -> date:
    """The first day with feedback: the same day the dashboard's default range starts on."""
    today = timezone.localtime(now).date()
    return date(today.year - 1, today.month, 1)


class _Calendar:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tz = timezone.get_current_timezone()
        local = timezone.localtime(now)
        self.today = local.date()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        self.today_seconds = max(1, int((local - midnight).total_seconds()))
        start = history_start(now)
        self.days = [start + timedelta(days=i) for i in range((self.today - start).days + 1)]
        self.go_live = billing_go_live(now)
        self._go_live_month = self.go_live.year * 12 + self.go_live.month
        self.span = max(1, len(self.days) - 1)
        self.cum = {name: list(accumulate(weights)) for name, weights in HOURS.items()}
        self._hours: dict[tuple[date, int], datetime] = {}

    def phase(self, day: date) -> int | None:
        """Months since the billing system went live (0 = that month), None before it."""
        months = day.year * 12 + day.month - self._go_live_month
        return months if months >= 0 else None

    def progress(self, day: date) -> float:
        """0 on the first day of the history, 1 today."""
        return (day - self.days[0]).days / self.span

    def sample_days(
        self, rng: random.Random, count: int, weight: Callable[[date], float]
    ) -> list[date]:
        weights = [weight(day) for day in self.days]
        weights[-1] *= self.today_seconds / 86_400  # today is not over yet
        return rng.choices(self.days, cum_weights=list(accumulate(weights)), k=count)

    def moment(self, rng: random.Random, day: date, profile: str) -> datetime:
        cum = self.cum[profile]
        hour = bisect_right(cum, rng.random() * cum[-1])
        start = self._hours.get((day, hour))
        if start is None:  # the aware start of each hour once: make_aware is slow
            naive = datetime(day.year, day.month, day.day, hour)
            start = self._hours[day, hour] = timezone.make_aware(naive, self.tz)
        moment = start + timedelta(seconds=rng.randrange(3600))
        if moment >= self.now:
            moment = self.now - timedelta(seconds=rng.randint(1, self.today_seconds))
        return moment


def _weekday_season(profile: str) -> Callable[[date], float]:
    weekdays = WEEKDAYS[profile]
    return lambda day: SEASON[day.month] * weekdays[day.weekday()]


# --- customers and staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Customer:
    pk: int
    segment_id: int | None
    segment: str
    language: str
    business: bool
    since: date
    unsubscribed_at: datetime | None


class _Customers:
    """The organisation's customers by sign-up date, so a pick on a day is a customer then."""

    def __init__(self, organisation: Organisation) -> None:
        names = dict(Segment.objects.filter(organisation=organisation).values_list("pk", "name"))
        rows = (
            Customer.objects.filter(organisation=organisation)
            .order_by("created_at", "pk")
            .values_list(
                "pk", "segment_id", "language", "kind", "created_at", "consent_surveys",
                "consent_updated_at",
            )
        )  # fmt: skip
        self.items = [
            _Customer(
                pk=pk, segment_id=segment_id, segment=names.get(segment_id, ""),
                language=language if language in ("nl", "en") else "nl",
                business=kind == "business", since=timezone.localtime(created_at).date(),
                unsubscribed_at=None if consent else (updated_at or created_at),
            )
            for pk, segment_id, language, kind, created_at, consent, updated_at in rows
        ]  # fmt: skip
        self.since = [item.since for item in self.items]

    def pick(
        self, rng: random.Random, day: date, moment: datetime, *, invited: bool = False
    ) -> _Customer | None:
        """A customer who had signed up by ``day`` (and, if invited, not unsubscribed yet)."""
        known = bisect_right(self.since, day)
        if not known:
            return None
        choice = self.items[rng.randrange(known)]
        for _attempt in range(8):
            if not invited or choice.unsubscribed_at is None or moment < choice.unsubscribed_at:
                break
            choice = self.items[rng.randrange(known)]
        return choice


# --- comments ------------------------------------------------------------------------------------


class _Fill(dict[str, str]):
    """Slot values for one comment: given ones first, the rest picked when first used."""

    def __init__(self, rng: random.Random, language: str, given: Mapping[str, str]) -> None:
        super().__init__(given)
        self.rng = rng
        self.language = language

    def __missing__(self, key: str) -> str:
        # "praised2" draws from "praised" again, but never the same phrase twice.
        base = key[:-1] if key.endswith("2") and key[:-1] in SLOTS[self.language] else key
        value = self._draw(base)
        filler = SLOTS[self.language][base]
        if base != key and not callable(filler) and len(filler) > 1:
            while value == self[base]:
                value = self._draw(base)
        if "{" in value:  # a filler may hold slots itself: "monteur {person}"
            value = value.format_map(self)
        self[key] = value
        return value

    def _draw(self, key: str) -> str:
        filler = SLOTS[self.language][key]
        return filler(self.rng) if callable(filler) else self.rng.choice(filler)


# Themes a comment may touch on in a second sentence (not the incident: that has its own months),
# by survey: an answer about the annual statement stays with bills and service.
SECOND_THEMES = ("billing", "price", "service", "staff", "app", "installation", "green", "general")
SECOND_BY_SURVEY = {
    "relatie": SECOND_THEMES,
    "contact": ("service", "staff", "billing", "app", "general"),
    "jaarnota": ("billing", "service", "price", "general"),
    "installatie": ("installation", "app", "general"),
}


def _templates(theme: str, tone: str, language: str, business: bool) -> list[str]:
    by_tone = BANK.get(theme, {})
    templates = (by_tone.get(tone) or BANK["general"][tone])[language]
    if business:
        return [t.removeprefix("B|") for t in templates]
    return [t for t in templates if not t.startswith("B|")]


def comment(
    rng: random.Random,
    theme: str,
    tone: str,
    language: str,
    given: Mapping[str, str],
    *,
    business: bool = False,
    casual: bool = True,
    also: Sequence[str] = SECOND_THEMES,
) -> str:
    """One comment on ``theme`` in ``tone`` (neg, mix, pos), sometimes with a second sentence on
    another theme, an opener or a closer, and (``casual``) the odd sloppy ending, so the same
    text rarely comes back verbatim."""
    fill = _Fill(rng, language, given)
    text = rng.choice(_templates(theme, tone, language, business)).format_map(fill)
    if casual and rng.random() < 0.25:
        other = rng.choice([t for t in also if t != theme])
        second = rng.choice(_templates(other, tone, language, business)).format_map(fill)
        text = f"{text} {second}"
    roll = rng.random()
    if roll < 0.22:
        text = f"{text} {rng.choice(CLOSERS[tone][language])}"
    elif roll < 0.32:
        text = f"{rng.choice(OPENERS[tone][language])} {text}"
    roll = rng.random() if casual else 1.0
    if roll < 0.06:
        text = text.rstrip(".!")
    elif roll < 0.08:
        text = text[:1].lower() + text[1:]
    return text


def _theme(rng: random.Random, tone: str, business: bool) -> str:
    weights = dict(THEMES_BY_TONE[tone])
    if business:
        weights["account"] = ACCOUNT_WEIGHT[tone]
    return rng.choices(list(weights), list(weights.values()))[0]


def _tone_of_nps(score: int) -> str:
    return "pos" if score >= 9 else "mix" if score >= 7 else "neg"


# --- scores --------------------------------------------------------------------------------------

# (NPS / 100, share of passives) by segment; "" is an anonymous respondent.
NPS_PROFILE = {
    "Huishoudens": (0.15, 0.46), "MKB": (-0.14, 0.42), "Zakelijk groot": (0.04, 0.50),
    "Energiecoöperaties": (0.30, 0.40), "": (0.06, 0.44),
}  # fmt: skip
DETRACTOR_SCORES = ((0, 1, 2, 3, 4, 5, 6), (7, 3, 5, 8, 10, 27, 40))
ANGRY_SCORES = ((0, 1, 2, 3, 4, 5, 6), (22, 10, 13, 14, 13, 14, 14))


def _nps(rng: random.Random, segment: str, billing_hit: bool) -> int:
    if billing_hit:
        band = rng.choices(("d", "p", "P"), (78, 18, 4))[0]
    else:
        target, passives = NPS_PROFILE.get(segment, NPS_PROFILE[""])
        promoters = (1 - passives + target) / 2
        band = rng.choices(("d", "p", "P"), (1 - passives - promoters, passives, promoters))[0]
    if band == "P":
        return 9 if rng.random() < 0.62 else 10
    if band == "p":
        return 7 if rng.random() < 0.48 else 8
    scores, weights = ANGRY_SCORES if billing_hit else DETRACTOR_SCORES
    return rng.choices(scores, weights)[0]


def _csat(rng: random.Random, bad: float) -> int:
    if rng.random() < bad:
        return rng.choices((1, 2, 3), (35, 35, 30))[0]
    return rng.choices((3, 4, 5), (8, 50, 42))[0]


def _billing_hit(cal: _Calendar, day: date, peak: float) -> float:
    """The chance that a customer was hit by the billing problems on ``day``."""
    phase = cal.phase(day)
    if phase is None:
        return 0.0
    if phase == 0 and day.day <= 6:  # the first bills from the new system went out in week two
        return peak * 0.15
    return peak * {0: 0.85, 1: 1.0, 2: 0.5}.get(phase, 0.2)


# --- building the feedback -----------------------------------------------------------------------


@dataclass
class _Context:
    rng: random.Random
    cal: _Calendar
    customers: _Customers
    teams: dict[str, int]
    surveys: dict[str, Survey]
    staff: dict[str, list[tuple[int, str]]]  # team slug → (person id, first name)
    survey_keys: dict[int, str] = field(default_factory=dict)  # survey id → key in SURVEYS

    def __post_init__(self) -> None:
        self.survey_keys = {survey.pk: key for key, survey in self.surveys.items()}


Row = dict[str, Any]  # Feedback fields by attname; turned into Feedback objects at the end


@dataclass
class Planned:
    """One piece of feedback to store: its Feedback fields, and what its comment is about."""

    row: Row
    theme: str  # "" when the item carries no comment


def _team_of(ctx: _Context, theme: str, business: bool) -> int | None:
    slug = THEME_TEAM[theme]
    if theme == "price" and business:
        slug = "accountmanagement"
    return ctx.teams.get(slug)


def _given(ctx: _Context, day: date, language: str, theme: str) -> dict[str, str]:
    given = {"month": MONTH_NAMES[language][day.month - 1]}
    team = {"account": "accountmanagement", "installation": "meters-installatie"}.get(
        theme, "klantenservice"
    )
    if ctx.staff.get(team):
        given["person"] = ctx.rng.choice(ctx.staff[team])[1]
    return given


def _anonymous_language(rng: random.Random) -> str:
    return "en" if rng.random() < 0.10 else "nl"


def _response(
    ctx: _Context, key: str, day: date, profile: str, channel: str = Channel.EMAIL
) -> tuple[Row, _Customer | None]:
    rng = ctx.rng
    moment = ctx.cal.moment(rng, day, profile)
    customer = (
        ctx.customers.pick(rng, day, moment, invited=True) if channel == Channel.EMAIL else None
    )
    survey = ctx.surveys[key]
    row: Row = {
        "kind": FeedbackKind.RESPONSE,
        "channel": channel if customer is not None or channel != Channel.EMAIL else Channel.LINK,
        "survey_id": survey.pk,
        "customer_id": customer.pk if customer else None,
        "segment_id": customer.segment_id if customer else None,
        "team_id": survey.team_id,
        "language": customer.language if customer else _anonymous_language(rng),
        "submitted_at": moment,
        "created_at": moment,
    }
    return row, customer


def _finish(
    ctx: _Context,
    row: Row,
    answers: dict[str, Any],
    text_key: str,
    theme: str,
    tone: str,
    chance: float,
    given: dict[str, str] | None = None,
    *,
    business: bool = False,
) -> Planned:
    """Add the follow-up text (or leave the response partial), keeping answers and columns equal."""
    rng = ctx.rng
    if row["channel"] in (Channel.EMAIL, Channel.LINK) and rng.random() < PARTIAL_SHARE:
        row["answers"] = {k: v for k, v in answers.items() if k in ("nps", "csat", "ces")}
        row["is_complete"] = False
        return Planned(row, "")
    if rng.random() < chance:
        day = timezone.localtime(row["submitted_at"]).date()
        merged = {**_given(ctx, day, row["language"], theme), **(given or {})}
        also = SECOND_BY_SURVEY[ctx.survey_keys[row["survey_id"]]]
        answers[text_key] = comment(
            rng, theme, tone, row["language"], merged, business=business, also=also
        )
        row["comment"] = answers[text_key]
    else:
        theme = ""
    row["answers"] = answers
    return Planned(row, theme)


def _relationship_nps(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    items = []
    for day in cal.sample_days(rng, RESPONSES["relatie"], _weekday_season("evening")):
        channel = rng.choices((Channel.EMAIL, Channel.LINK, Channel.WIDGET), (80, 12, 8))[0]
        row, customer = _response(ctx, "relatie", day, "evening", channel)
        segment = customer.segment if customer else ""
        business = bool(customer and customer.business)
        peak = 0.26 * (1.4 if segment == "MKB" else 1.0)
        hit = rng.random() < _billing_hit(cal, day, peak)
        score = _nps(rng, segment, hit)
        row["nps"] = score
        tone = _tone_of_nps(score)
        theme = "billing_incident" if hit and tone != "pos" else _theme(rng, tone, business)
        chance = {"neg": 0.82, "mix": 0.5, "pos": 0.62}[tone]
        items.append(
            _finish(ctx, row, {"nps": score}, "reason", theme, tone, chance, business=business)
        )
    return items


def _contact_csat(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    items = []
    for day in cal.sample_days(rng, RESPONSES["contact"], _contact_weight(cal)):
        row, customer = _response(ctx, "contact", day, "contact")
        business = bool(customer and customer.business)
        phase = cal.phase(day)
        incident = phase in (0, 1)
        invoice_share = 0.55 if incident else 0.40 if phase == 2 else 0.30
        rest = (1 - invoice_share) / 0.70
        topic = rng.choices(
            CONTACT_TOPICS, (invoice_share, 0.15 * rest, 0.15 * rest, 0.15 * rest, 0.10 * rest,
                             0.15 * rest),
        )[0]  # fmt: skip
        bad = 0.13 + (0.05 if day.month in (12, 1, 2) else 0.0) + (0.05 if business else 0.0)
        bad += 0.10 if incident else 0.04 if phase == 2 else 0.0
        hit = topic == "invoice" and rng.random() < _billing_hit(cal, day, 0.55)
        if hit:
            bad += 0.45
        score = _csat(rng, min(bad, 0.95))
        row["csat"] = score
        answers: dict[str, Any] = {"csat": score}
        if rng.random() < 0.9:
            answers["topic"] = topic
        if score <= 3:
            tone = "neg" if score <= 2 else "mix"
            if hit:
                theme = "billing_incident"
            elif rng.random() < 0.55:
                theme = "service"
            else:
                theme = TOPIC_THEME[topic]
            items.append(_finish(ctx, row, answers, "reason", theme, tone, 0.75, business=business))
        else:
            theme = "staff" if rng.random() < 0.6 else "service"
            if rng.random() < 0.25:
                theme = TOPIC_THEME[topic]
            items.append(
                _finish(ctx, row, answers, "praise", theme, "pos", 0.45, business=business)
            )
    return items


def _contact_weight(cal: _Calendar) -> Callable[[date], float]:
    base = _weekday_season("contact")

    def weight(day: date) -> float:
        phase = cal.phase(day)
        return base(day) * (1.35 if phase in (0, 1) else 1.1 if phase == 2 else 1.0)

    return weight


def _annual_statement_csat(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    base = _weekday_season("evening")

    def weight(day: date) -> float:  # angry customers answer more often
        return base(day) * (1.4 if cal.phase(day) in (0, 1) else 1.0)

    items = []
    for day in cal.sample_days(rng, RESPONSES["jaarnota"], weight):
        row, customer = _response(ctx, "jaarnota", day, "evening")
        business = bool(customer and customer.business)
        peak = 0.46 * (1.3 if customer and customer.segment == "MKB" else 1.0)
        hit = rng.random() < _billing_hit(cal, day, peak)
        bad = 0.95 if hit else 0.22 + (0.06 if business else 0.0)
        score = _csat(rng, bad)
        row["csat"] = score
        answers: dict[str, Any] = {"csat": score}
        if rng.random() < 0.92:
            if score >= 4:
                answers["clear"] = "yes" if rng.random() < 0.85 else "partly"
            elif score == 3:
                answers["clear"] = "partly" if rng.random() < 0.7 else "no"
            else:
                answers["clear"] = "no" if rng.random() < 0.75 else "partly"
        if score <= 3:
            tone = "neg" if score <= 2 else "mix"
            theme = "billing_incident" if hit else "billing"
            if not hit and business and rng.random() < 0.25:
                theme = "account"
            items.append(_finish(ctx, row, answers, "reason", theme, tone, 0.7, business=business))
        else:  # no follow-up for the satisfied
            items.append(_finish(ctx, row, answers, "reason", "billing", "pos", 0.0))
    return items


def _installation_ces(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    items = []
    for day in cal.sample_days(rng, RESPONSES["installatie"], _weekday_season("contact")):
        row, customer = _response(ctx, "installatie", day, "contact")
        job = rng.choices(JOBS, (50, 25, 18, 7))[0]
        # Planning moved to two-hour time slots over the year: far fewer difficult visits.
        hard = 0.44 - 0.32 * cal.progress(day)
        if rng.random() < hard:
            score = rng.choices((4, 5, 6, 7), (10, 30, 33, 27))[0]
        else:
            score = rng.choices((1, 2, 3, 4), (34, 36, 20, 10))[0]
        row["ces"] = score
        answers: dict[str, Any] = {"ces": score}
        if rng.random() < 0.93:
            answers["job"] = job
        tone = "pos" if score <= 3 else "mix" if score == 4 else "neg"
        theme = "installation" if rng.random() < 0.85 else "general"
        given = {"product": JOB_NAMES[row["language"]][job]}
        business = bool(customer and customer.business)
        items.append(
            _finish(ctx, row, answers, "reason", theme, tone, 0.62, given, business=business)
        )
    return items


def _author(ctx: _Context, theme: str, channel: str) -> int | None:
    if channel not in (Channel.PHONE, Channel.EMAIL):
        return None
    slug = "accountmanagement" if theme == "account" else "klantenservice"
    people = ctx.staff.get(slug)
    return ctx.rng.choice(people)[0] if people else None


def _contact_item(
    ctx: _Context, kind: str, day: date, channel: str, linked: float
) -> tuple[Row, _Customer | None]:
    rng = ctx.rng
    profile = "office" if channel in (Channel.PHONE, Channel.EMAIL) else "always"
    moment = ctx.cal.moment(rng, day, profile)
    customer = ctx.customers.pick(rng, day, moment) if rng.random() < linked else None
    row: Row = {
        "kind": kind,
        "channel": channel,
        "customer_id": customer.pk if customer else None,
        "segment_id": customer.segment_id if customer else None,
        "language": customer.language if customer else _anonymous_language(rng),
        "submitted_at": moment,
        "created_at": moment,
        "answers": {},
    }
    return row, customer


def _complaint_text(ctx: _Context, row: Row, theme: str, business: bool) -> None:
    rng, language = ctx.rng, row["language"]
    day = timezone.localtime(row["submitted_at"]).date()
    row["subject"] = rng.choice(COMPLAINT_SUBJECTS[theme][language])
    given = _given(ctx, day, language, theme)
    text = comment(rng, theme, "neg", language, given, business=business, casual=False)
    if row["channel"] == Channel.PHONE:
        text = (
            f'Klant belde: "{text}"' if language == "nl" else f'Customer called: "{text}"'
        )  # staff write their notes in the customer's language
    elif rng.random() < 0.3:
        opening = "Ik wil een klacht indienen." if language == "nl" else "I want to complain."
        text = f"{opening} {text}"
    row["comment"] = text


def _complaints(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    office = WEEKDAYS["office"]

    def billing_weight(day: date) -> float:
        phase, season = cal.phase(day), SEASON[day.month]
        if phase in (0, 1):  # complaints triple, whatever the season
            level = 3.0 * max(season, 1.0)
        else:
            level = season * {None: 1.0, 2: 1.7}.get(phase, 1.3)
        return level * office[day.weekday()]

    def other_weight(day: date) -> float:
        return _weekday_season("office")(day) * (1.25 if cal.phase(day) in (0, 1) else 1.0)

    items = []
    channels = (Channel.PHONE, Channel.EMAIL, Channel.SOCIAL)
    for billing, count, weight in (
        (True, BILLING_COMPLAINTS, billing_weight),
        (False, OTHER_COMPLAINTS, other_weight),
    ):
        for day in cal.sample_days(rng, count, weight):
            channel = rng.choices(channels, (45, 42, 13))[0]
            linked = 0.6 if channel == Channel.SOCIAL else 1.0
            row, customer = _contact_item(ctx, FeedbackKind.COMPLAINT, day, channel, linked)
            business = bool(customer and customer.business)
            if billing:
                phase = cal.phase(day)
                share = {None: 0.0, 0: 0.8, 1: 0.8, 2: 0.55}.get(phase, 0.3)
                theme = "billing_incident" if rng.random() < share else "billing"
            else:
                weights = {"service": 30, "installation": 20, "price": 16, "app": 11,
                           "switching": 11, "staff": 4, "green": 2}  # fmt: skip
                if business:
                    weights["account"] = 12
                theme = rng.choices(list(weights), list(weights.values()))[0]
            row["team_id"] = _team_of(ctx, theme, business)
            row["author_id"] = _author(ctx, theme, channel)
            _complaint_text(ctx, row, theme, business)
            items.append(Planned(row, theme))
    return items


def _questions(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    items = []
    channels = (Channel.PHONE, Channel.EMAIL, Channel.SOCIAL)
    for day in cal.sample_days(rng, QUESTIONS, _weekday_season("office")):
        channel = rng.choices(channels, (50, 35, 15))[0]
        linked = 0.5 if channel == Channel.SOCIAL else 0.9
        row, customer = _contact_item(ctx, FeedbackKind.QUESTION, day, channel, linked)
        business = bool(customer and customer.business)
        phase = cal.phase(day)
        weights = {"billing": 25, "app": 16, "installation": 16, "switching": 16, "price": 10,
                   "green": 7}  # fmt: skip
        if business:
            weights["account"] = 14
        theme = rng.choices(list(weights), list(weights.values()))[0]
        if theme == "billing" and phase in (0, 1, 2) and rng.random() < 0.6:
            theme = "billing_incident"
        language = row["language"]
        subject, text = rng.choice(QUESTION_BANK[theme][language])
        text = text.format_map(_Fill(rng, language, {}))
        if rng.random() < 0.5:  # greetings end in "," or ":", so the question goes on in lower case
            text = f"{rng.choice(GREETINGS[language])} {text[:1].lower()}{text[1:]}"
        if rng.random() < 0.4:
            text = f"{text} {rng.choice(SIGN_OFFS[language])}"
        row["subject"] = subject
        row["comment"] = text
        row["team_id"] = _team_of(ctx, theme, business)
        row["author_id"] = _author(ctx, theme, channel)
        items.append(Planned(row, theme))
    return items


REVIEW_NPS = {1: (0, 1, 2, 3), 2: (2, 3, 4, 5), 3: (5, 6, 7), 4: (7, 8, 8, 9), 5: (9, 10, 10)}
REVIEW_THEMES = {
    "pos": {"green": 30, "staff": 25, "general": 20, "app": 15, "installation": 10},
    "mix": {"general": 40, "price": 25, "service": 20, "app": 15},
    "neg": {"billing": 35, "service": 30, "price": 15, "installation": 10, "switching": 10},
}  # fmt: skip


def _reviews(ctx: _Context) -> list[Planned]:
    rng, cal = ctx.rng, ctx.cal
    base = _weekday_season("always")

    def weight(day: date) -> float:
        return base(day) * (1.5 if cal.phase(day) in (0, 1) else 1.0)

    items = []
    for day in cal.sample_days(rng, REVIEWS, weight):
        channel = Channel.REVIEW_SITE if rng.random() < 0.85 else Channel.SOCIAL
        row, customer = _contact_item(ctx, FeedbackKind.REVIEW, day, channel, 0.35)
        phase = cal.phase(day)
        stars = (35, 10, 10, 18, 27) if phase in (0, 1) else (17, 8, 11, 26, 38)
        rating = rng.choices((1, 2, 3, 4, 5), stars)[0]
        tone = "pos" if rating >= 4 else "mix" if rating == 3 else "neg"
        if rating == 4 and rng.random() < 0.3:
            tone = "mix"
        theme = rng.choices(list(REVIEW_THEMES[tone]), list(REVIEW_THEMES[tone].values()))[0]
        if theme == "billing" and phase in (0, 1, 2) and rng.random() < 0.7:
            theme = "billing_incident"
        row["rating"] = rating
        if rng.random() < 0.3:  # the review site also asks whether they would recommend us
            row["nps"] = rng.choice(REVIEW_NPS[rating])
        row["subject"] = rng.choice(REVIEW_TITLES[tone][row["language"]])
        given = _given(ctx, day, row["language"], theme)
        business = bool(customer and customer.business)
        row["comment"] = comment(rng, theme, tone, row["language"], given, business=business)
        row["team_id"] = ctx.teams.get(THEME_TEAM[theme])
        items.append(Planned(row, theme))
    return items


# --- the seed ------------------------------------------------------------------------------------


COUNTED_KINDS: dict[str, str] = {
    FeedbackKind.RESPONSE: "responses",
    FeedbackKind.COMPLAINT: "complaints",
    FeedbackKind.QUESTION: "questions",
    FeedbackKind.REVIEW: "reviews",
}


def counts(organisation: Organisation) -> dict[str, int]:
    """What the organisation holds now: surveys, and feedback by kind."""
    result = {"surveys": Survey.objects.filter(organisation=organisation).count()}
    result.update(dict.fromkeys(COUNTED_KINDS.values(), 0))
    rows = (
        Feedback.objects.filter(organisation=organisation)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for kind, number in rows:
        if kind in COUNTED_KINDS:
            result[COUNTED_KINDS[kind]] = number
    return result


def _create_surveys(
    organisation: Organisation, teams: dict[str, Team], cal: _Calendar
) -> dict[str, Survey]:
    created_at = timezone.make_aware(
        datetime.combine(cal.days[0] - timedelta(days=14), datetime.min.time()), cal.tz
    ).replace(hour=10)
    opens_at = timezone.make_aware(datetime.combine(cal.days[0], datetime.min.time()), cal.tz)
    surveys: dict[str, Survey] = {}
    for spec in SURVEYS:
        fields = {
            name: spec[name]
            for name in ("name", "title_nl", "title_en", "intro_nl", "intro_en", "thanks_nl",
                         "thanks_en", "allow_anonymous")
        }  # fmt: skip
        if spec.get("allowed_origins"):
            fields["allowed_origins"] = spec["allowed_origins"]
        survey = services.create_survey(
            organisation,
            template=spec["template"],
            team=teams.get(spec["team"]),
            opens_at=opens_at,
            **fields,
        )
        for position, question in enumerate(spec["questions"]):
            services.add_question(survey, position=position, **question)
        survey = services.open_survey(survey)
        Survey.objects.filter(pk=survey.pk).update(created_at=created_at)
        Question.objects.filter(survey=survey).update(created_at=created_at)
        surveys[spec["key"]] = survey
    return surveys


def _staff(organisation: Organisation) -> dict[str, list[tuple[int, str]]]:
    staff: dict[str, list[tuple[int, str]]] = {}
    rows = (
        Person.objects.filter(organisation=organisation, is_active=True, customer_facing=True)
        .exclude(team=None)
        .order_by("pk")
        .values_list("pk", "name", "team__slug")
    )
    for pk, name, slug in rows:
        staff.setdefault(slug, []).append((pk, name.split()[0]))
    return staff


def _tag(
    organisation: Organisation, items: Sequence[Planned], inserted: Sequence[Feedback]
) -> None:
    """Tag every stored item with a comment by its theme, as the CX team's rules would."""
    names = sorted({name for item in items for name in THEME_TAGS.get(item.theme, ())})
    tags = {
        name: Tag.objects.get_or_create(organisation=organisation, name=name)[0].pk
        for name in names
    }
    stored = {feedback.external_id: feedback.pk for feedback in inserted if feedback.pk}
    rows = [
        (stored[item.row["external_id"]], tags[name])
        for item in items
        if item.row["external_id"] in stored
        for name in THEME_TAGS.get(item.theme, ())
    ]
    table = Feedback.tags.through._meta.db_table
    sql = f"INSERT INTO {table} (feedback_id, tag_id) VALUES (%s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _feedback(row: Row, defaults: Sequence[tuple[str, Any]]) -> Feedback:
    """A Feedback from a row, built positionally: three times faster than keyword arguments.
    ``defaults`` (attname, default) in field order fill what the row leaves out."""
    return Feedback(*[row.get(name, default) for name, default in defaults])  # type: ignore[misc]


def _defaults() -> list[tuple[str, Any]]:
    """Each concrete field's default, computed once for all rows. Rows set every field whose
    default is mutable (``answers``) or a moment (``created_at``), so sharing is safe."""
    return [(f.attname, f.get_default()) for f in Feedback._meta.concrete_fields]


def seed_voice_demo(
    organisation: Organisation, *, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    """Give the demo organisation a year of surveys and feedback, once; return the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        if Survey.objects.filter(organisation=organisation).exists():
            return counts(organisation)
        teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
        surveys = _create_surveys(organisation, teams, _Calendar(now))
        items = plan(organisation, surveys, seed=seed, now=now)
        defaults = _defaults()
        objects = [_feedback(item.row, defaults) for item in items]
        inserted = services.bulk_record(organisation, objects, fill_ids=True)
        _tag(organisation, items, inserted)
        return counts(organisation)


def plan(
    organisation: Organisation, surveys: Mapping[str, Survey], *, seed: int, now: datetime
) -> list[Planned]:
    """The feedback the demo holds, oldest first, without storing anything. ``surveys`` maps the
    keys of ``SURVEYS`` to the organisation's surveys; the same arguments give the same rows."""
    ctx = _Context(
        rng=random.Random(seed),
        cal=_Calendar(now),
        customers=_Customers(organisation),
        teams=dict(Team.objects.filter(organisation=organisation).values_list("slug", "pk")),
        surveys=dict(surveys),
        staff=_staff(organisation),
    )
    responses = [
        *_relationship_nps(ctx),
        *_contact_csat(ctx),
        *_annual_statement_csat(ctx),
        *_installation_ces(ctx),
    ]
    others = [*_complaints(ctx), *_questions(ctx), *_reviews(ctx)]
    return _numbered(responses, others)


def _numbered(responses: list[Planned], others: list[Planned]) -> list[Planned]:
    """External ids in the order things arrived: demo-r-000001 is the oldest response."""
    prefixes: dict[str, str] = {
        FeedbackKind.RESPONSE: "r",
        FeedbackKind.COMPLAINT: "c",
        FeedbackKind.QUESTION: "q",
        FeedbackKind.REVIEW: "v",
    }
    items = sorted([*responses, *others], key=lambda item: item.row["submitted_at"])
    numbers = dict.fromkeys(prefixes, 0)
    for item in items:
        kind = item.row["kind"]
        numbers[kind] += 1
        item.row["external_id"] = f"demo-{prefixes[kind]}-{numbers[kind]:06d}"
    return items
