"""The built-in mirror survey: the dimensions of customer-centricity and their statements, each
written twice (what employees say about "we", what customers say about the organisation), in
Dutch and English.

The statements are our own, inspired by the market-orientation literature (Narver & Slater
1990: customer orientation, inter-functional coordination; Kohli, Jaworski & Kumar 1993,
MARKOR: intelligence generation, dissemination, responsiveness) and by the norms of the
essays behind outsidein (no decision without customer input, everyone customer-facing,
leadership that tells customer stories). None is copied from a published scale.

In customer texts ``{org}`` stands for the organisation's name. Organisations reword, hide and
add items per organisation (``MirrorItem``); this module is where a reset goes back to.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

SUPERIOR = "superior"
"""The key of the headline question: does the organisation deliver a superior experience?"""

AGREE_FROM = 6
"""On the 1–7 scale, 6 (agree) and 7 (strongly agree) count as "agrees" for the headline."""


class Dimension(NamedTuple):
    key: str
    label: object  # a lazy translation
    description: object


DIMENSIONS: list[Dimension] = [
    Dimension(
        "knowing",
        _("Knowing the customer"),
        _("We know who our customers are, what they need and how they experience us."),
    ),
    Dimension(
        "responsiveness",
        _("Responsiveness"),
        _("Customers' questions and complaints get a quick, real answer."),
    ),
    Dimension(
        "promises",
        _("Keeping promises"),
        _("The experience we deliver is the one we promise."),
    ),
    Dimension(
        "involving",
        _("Involving customers"),
        _("Customers have a say in decisions, improvements and new services."),
    ),
    Dimension(
        "everyone",
        _("Everyone customer-facing"),
        _("Every department works together for the customer, not only the front line."),
    ),
    Dimension(
        "leadership",
        _("Leadership and customer stories"),
        _("Leaders set the example and keep customers' stories in view."),
    ),
]
DIMENSION_KEYS = [dimension.key for dimension in DIMENSIONS]


def dimension_label(key: str) -> str:
    for dimension in DIMENSIONS:
        if dimension.key == key:
            return str(dimension.label)
    return key


class BankItem(NamedTuple):
    key: str
    dimension: str
    employee_nl: str
    employee_en: str
    customer_nl: str
    customer_en: str


# fmt: off
ITEMS: list[BankItem] = [
    # --- knowing the customer
    BankItem("know-needs", "knowing",
             "We weten goed wat onze klanten echt nodig hebben.",
             "We know well what our customers really need.",
             "{org} weet goed wat ik echt nodig heb.",
             "{org} knows well what I really need."),
    BankItem("know-ask", "knowing",
             "We vragen klanten regelmatig hoe zij onze dienstverlening ervaren.",
             "We regularly ask customers how they experience our service.",
             "{org} vraagt me regelmatig hoe ik hun dienstverlening ervaar.",
             "{org} regularly asks me how I experience their service."),
    BankItem("know-situation", "knowing",
             "Als een klant contact opneemt, kennen we zijn situatie al.",
             "When a customer gets in touch, we already know their situation.",
             "Als ik contact opneem met {org}, kennen ze mijn situatie al.",
             "When I contact {org}, they already know my situation."),
    BankItem("know-change", "knowing",
             "We merken het snel als de wensen van klanten veranderen.",
             "We notice quickly when customers' wishes change.",
             "{org} merkt het snel als mijn wensen veranderen.",
             "{org} notices quickly when my wishes change."),
    # --- responsiveness
    BankItem("resp-complaint", "responsiveness",
             "We reageren snel als een klant klaagt.",
             "We respond quickly when a customer complains.",
             "{org} reageert snel als ik klaag.",
             "{org} responds quickly when I complain."),
    BankItem("resp-first", "responsiveness",
             "Een vraag van een klant gaat bij ons voor op ander werk.",
             "A customer's question comes before other work here.",
             "Mijn vragen krijgen bij {org} voorrang.",
             "My questions get priority at {org}."),
    BankItem("resp-solve", "responsiveness",
             "Klanten hoeven hun vraag maar één keer te stellen om geholpen te worden.",
             "Customers only have to ask once to be helped.",
             "Ik hoef mijn vraag maar één keer te stellen om geholpen te worden.",
             "I only have to ask once to be helped."),
    BankItem("resp-feedback", "responsiveness",
             "Als klanten ons op een probleem wijzen, lossen we de oorzaak op.",
             "When customers point out a problem, we fix its cause.",
             "Als ik {org} op een probleem wijs, lossen ze de oorzaak op.",
             "When I point out a problem to {org}, they fix its cause."),
    # --- keeping promises / the experience delivered
    BankItem("prom-keep", "promises",
             "We doen wat we klanten beloven.",
             "We do what we promise customers.",
             "{org} doet wat ze mij beloven.",
             "{org} does what they promise me."),
    BankItem("prom-time", "promises",
             "Afspraken met klanten komen we op tijd na.",
             "We keep appointments with customers on time.",
             "{org} komt afspraken met mij op tijd na.",
             "{org} keeps appointments with me on time."),
    BankItem("prom-bill", "promises",
             "Onze rekeningen en brieven zijn voor klanten duidelijk en kloppen.",
             "Our bills and letters are clear and correct for customers.",
             "De rekeningen en brieven van {org} zijn duidelijk en kloppen.",
             "{org}'s bills and letters are clear and correct."),
    BankItem("prom-easy", "promises",
             "Zaken doen met ons is voor klanten gemakkelijk.",
             "Doing business with us is easy for customers.",
             "Zaken doen met {org} is gemakkelijk.",
             "Doing business with {org} is easy."),
    # --- involving customers in decisions and innovation
    BankItem("inv-decide", "involving",
             "We nemen geen belangrijk besluit zonder de mening van klanten te horen.",
             "We take no important decision without hearing customers' views.",
             "{org} vraagt mijn mening voordat ze iets belangrijks veranderen.",
             "{org} asks my opinion before they change something important."),
    BankItem("inv-ideas", "involving",
             "We doen echt iets met de ideeën van klanten.",
             "We really act on customers' ideas.",
             "{org} doet echt iets met de ideeën van klanten.",
             "{org} really acts on customers' ideas."),
    BankItem("inv-loop", "involving",
             "We laten klanten weten wat we met hun feedback hebben gedaan.",
             "We tell customers what we did with their feedback.",
             "{org} laat me weten wat ze met mijn feedback hebben gedaan.",
             "{org} tells me what they did with my feedback."),
    # --- everyone customer-facing (coordination across departments)
    BankItem("all-contact", "everyone",
             "Ook collega's buiten de klantenservice spreken regelmatig klanten.",
             "Colleagues outside customer service also speak with customers regularly.",
             "Bij {org} denken ook de mensen achter de schermen aan mij als klant.",
             "At {org}, the people behind the scenes think of me as a customer too."),
    BankItem("all-together", "everyone",
             "Afdelingen werken goed samen om een klant te helpen.",
             "Departments work well together to help a customer.",
             "Bij {org} word ik niet van het kastje naar de muur gestuurd.",
             "At {org} I am not sent from pillar to post."),
    BankItem("all-share", "everyone",
             "Wat we over klanten leren, delen we met alle afdelingen.",
             "What we learn about customers, we share with every department.",
             "Wat ik aan de ene medewerker van {org} vertel, weet de volgende ook.",
             "What I tell one person at {org}, the next one knows too."),
    BankItem("all-own", "everyone",
             "Iedereen hier voelt zich verantwoordelijk voor klanten, niet alleen accountmanagers.",
             "Everyone here feels responsible for customers, not only the account managers.",
             "Iedereen bij {org} met wie ik te maken heb, voelt zich verantwoordelijk voor mij.",
             "Everyone I deal with at {org} feels responsible for me."),
    # --- leadership and customer stories
    BankItem("lead-example", "leadership",
             "Onze leidinggevenden geven zelf het goede voorbeeld in hoe ze met klanten omgaan.",
             "Our managers set the example themselves in how they treat customers.",
             "De leiding van {org} laat zien dat klanten voor hen belangrijk zijn.",
             "{org}'s leadership shows that customers matter to them."),
    BankItem("lead-stories", "leadership",
             "In overleggen vertellen leidinggevenden verhalen van echte klanten.",
             "In meetings, managers tell stories of real customers.",
             "{org} vertelt in haar berichten over echte klanten zoals ik.",
             "{org} talks about real customers like me in what they share."),
    BankItem("lead-priority", "leadership",
             "Bij ons telt wat de klant ervan vindt zwaarder dan interne targets.",
             "Here, what the customer thinks counts for more than internal targets.",
             "{org} kiest voor wat goed is voor de klant, ook als het hen iets kost.",
             "{org} chooses what is good for the customer, even when it costs them."),
]

HEADLINE = BankItem(
    SUPERIOR, "",
    "Wij bieden onze klanten een betere ervaring dan onze concurrenten.",
    "We deliver a better experience to our customers than our competitors do.",
    "{org} biedt mij een betere ervaring dan andere aanbieders.",
    "{org} gives me a better experience than other providers do.",
)
# fmt: on

BUILT_IN = {item.key: item for item in [*ITEMS, HEADLINE]}
