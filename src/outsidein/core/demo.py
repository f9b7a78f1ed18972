"""Demo data: Polderstroom Energie B.V., a renewable energy supplier in Utrecht.

``seed_demo`` builds the organisation with its departments and teams, 60 employees (three of
them with a login) and 2,000 customers with their contact people. It uses one seeded
``random.Random`` only, so the same seed gives the same data, and it never creates the demo
organisation twice. Email addresses use the reserved ``.example`` domain so that a demo which
sends survey invitations can never reach a real inbox.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
    User,
)

DEMO_SLUG = "polderstroom"
DEMO_NAME = "Polderstroom Energie B.V."
DEMO_PASSWORD = "demo-outsidein"  # noqa: S105  (printed by `make demo`, demo only)
DOMAIN = "polderstroom.example"
CUSTOMER_COUNT = 2000
CONSUMER_SHARE = 0.85
YEARS_OF_HISTORY = 3


@dataclass
class DemoLogin:
    email: str
    role: str
    name: str


@dataclass
class SeedReport:
    organisations: int
    teams: int
    people: int
    customers: int
    contact_people: int
    segments: int
    created: bool
    logins: list[DemoLogin] = field(default_factory=list)


class LoginSpec(NamedTuple):
    email: str
    role: str
    name: str
    team: str
    job_title: str


class Staff(NamedTuple):
    job_title: str
    customer_facing: bool
    headcount: int
    role: str = "employee"


TEAM_LEAD = "Teamleider klantenservice"
# Each takes the place of the first generated colleague with the same team and job title.
LOGINS = [
    LoginSpec(f"cx@{DOMAIN}", "admin", "Sanne de Vries", "klantbeleving", "Lead klantbeleving"),
    LoginSpec(f"manager@{DOMAIN}", "manager", "Mark Willems", "klantenservice", TEAM_LEAD),
    LoginSpec(
        f"medewerker@{DOMAIN}", "employee", "Lotte Bakker", "facturatie", "Medewerker facturatie"
    ),
]

SEGMENTS = [
    ("Huishoudens", "Particuliere klanten met groene stroom en/of gas aan huis."),
    ("MKB", "Kleine en middelgrote bedrijven: winkels, horeca, ambacht en kantoren."),
    ("Zakelijk groot", "Grootzakelijke klanten met een vaste accountmanager en maatwerkcontract."),
    ("Energiecoöperaties", "Lokale coöperaties die hun opgewekte stroom via ons leveren."),
]

DEPARTMENTS = [
    ("klantcontact", "Klantcontact", "Alles waar klanten ons rechtstreeks spreken."),
    ("commercie", "Commercie", "Werven en behouden van particuliere en zakelijke klanten."),
    ("product-tech", "Product & Tech", "De app, het klantportaal en de systemen erachter."),
    ("bedrijfsvoering", "Bedrijfsvoering", "Meters en installaties, geld en mensen."),
]

# slug, name, department, description, team lead's title, staff. Sizes add up to 60 people.
TEAMS: list[tuple[str, str, str, str, str, list[Staff]]] = [
    ("klantbeleving", "Klantbeleving", "klantcontact",
     "Meet en verbetert hoe klanten Polderstroom ervaren.", "Lead klantbeleving",
     [Staff("CX-analist", False, 1), Staff("Onderzoeker klantinzicht", False, 1)]),
    ("klantenservice", "Klantenservice", "klantcontact",
     "De helpdesk: telefoon, chat en e-mail voor alle klanten.", TEAM_LEAD,
     [Staff("Klantenservicemedewerker", True, 11), Staff("Chatmedewerker", True, 1),
      Staff("Senior klantenservicemedewerker", True, 3)]),
    ("facturatie", "Facturatie", "klantcontact",
     "Jaarnota's, termijnbedragen, betalingsregelingen en incasso.", "Teamleider facturatie",
     [Staff("Medewerker facturatie", False, 4), Staff("Medewerker debiteurenbeheer", True, 2)]),
    ("accountmanagement", "Accountmanagement", "commercie",
     "Vast aanspreekpunt voor zakelijke klanten en coöperaties.", "Manager accountmanagement",
     [Staff("Accountmanager MKB", True, 3), Staff("Key accountmanager", True, 2)]),
    ("marketing", "Marketing", "commercie",
     "Campagnes, nieuwsbrief en de website.", "Marketingmanager",
     [Staff("Contentmarketeer", False, 1), Staff("Online marketeer", False, 1),
      Staff("Marketinganalist", False, 1)]),
    ("product", "Product", "product-tech",
     "De Polderstroom-app en het klantportaal: inzicht in verbruik en opwek.", "Productmanager",
     [Staff("Product owner", False, 2), Staff("UX-designer", False, 1),
      Staff("Data-analist", False, 1)]),
    ("it", "IT", "product-tech",
     "Facturatiesysteem, CRM en koppelingen met de netbeheerders.", "IT-manager",
     [Staff("Applicatiebeheerder", False, 1, role="admin"), Staff("Applicatiebeheerder", False, 1),
      Staff("Softwareontwikkelaar", False, 2), Staff("Servicedeskmedewerker IT", False, 1)]),
    ("meters-installatie", "Meters & installatie", "bedrijfsvoering",
     "Slimme meters, laadpalen en zonnepanelen bij klanten op locatie.", "Planner buitendienst",
     [Staff("Monteur", True, 5), Staff("Werkvoorbereider", False, 1)]),
    ("finance", "Finance", "bedrijfsvoering",
     "Boekhouding, energie-inkoop en rapportage.", "Financieel manager",
     [Staff("Financieel administrateur", False, 1), Staff("Controller", False, 1)]),
    ("hr", "HR", "bedrijfsvoering",
     "Werving, onboarding en ontwikkeling van medewerkers.", "HR-manager",
     [Staff("HR-adviseur", False, 1), Staff("Recruiter", False, 1)]),
]  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


NL_FIRST = _words("""Anna Bram Daan Emma Eva Fleur Floor Gijs Hanna Iris Jan Jesse Joris Julia Kees
Lars Lieke Lisa Luuk Maaike Marieke Mark Martijn Max Milan Noor Pieter Raf Roos Ruben Sander Sanne
Sem Sophie Stijn Thijs Tim Vera Wouter Yara Zoë Anouk Bas Chantal Dirk Esther Femke Gerrit Henk
Ingrid Jeroen Karin Lotte Mohamed Fatima Yusuf Ayşe Kevin Naomi Rik Willemijn""")
NL_LAST = [
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van Dijk", "Schouten", "van Beek", "Willems", "Hoekstra", "Koster",
    "Prins", "Verhoeven", "van Vliet", "Kuipers", "Postma", "El Amrani", "Demir", "Öztürk",
    "Bouzid", "Wijnands", "ter Horst", "van 't Hof", "Oosterhuis", "Veenstra", "Bijl",
]  # fmt: skip
EN_FIRST = _words("""James Emily Oliver Sophie Thomas Charlotte Daniel Olivia Michael Hannah David
Grace Priya Wei Lucas Ana Mateusz Elena Rahul Chloe Ryan Megan Liam Isabel Tom Aisling""")
EN_LAST = _words("""Smith Johnson Brown Taylor Wilson Evans Walker Hughes Clarke Murphy O'Brien
Kelly Patel Sharma Chen Wang Silva García Kowalski Novak Rossi Andersson Müller Nguyen""")

# city, area code (for landlines), weight; the Utrecht region weighs most, as in real life.
CITIES = [
    ("Utrecht", "30", 22), ("Amersfoort", "33", 7), ("Nieuwegein", "30", 5), ("Zeist", "30", 4),
    ("Houten", "30", 4), ("IJsselstein", "30", 2), ("Woerden", "348", 2), ("Veenendaal", "318", 2),
    ("Amsterdam", "20", 10), ("Rotterdam", "10", 8), ("Den Haag", "70", 6), ("Eindhoven", "40", 4),
    ("Arnhem", "26", 3), ("Nijmegen", "24", 3), ("Groningen", "50", 3), ("Zwolle", "38", 3),
    ("Haarlem", "23", 3), ("Leiden", "71", 3), ("Hilversum", "35", 3), ("Almere", "36", 3),
    ("Tilburg", "13", 2), ("Breda", "76", 2), ("Delft", "15", 2), ("Apeldoorn", "55", 2),
    ("'s-Hertogenbosch", "73", 2), ("Deventer", "570", 2), ("Wageningen", "317", 1),
]  # fmt: skip
EXPAT_CITIES = ["Amsterdam", "Utrecht", "Den Haag", "Eindhoven", "Rotterdam", "Leiden", "Delft"]
AREA_CODES = {name: code for name, code, _weight in CITIES}
CONSUMER_MAIL = ["mail.example", "post.example", "thuis.example", "inbox.example"]

TRADES = _words("""Bakkerij Slagerij Kapsalon Bloemenhuis Fietsenmaker Garage Tandartspraktijk
Drukkerij Fysiotherapie Boekhandel Schildersbedrijf Hoveniersbedrijf Dierenkliniek Eetcafé""")
ACTIVITIES = _words("""Installatietechniek Bouw Transport Metaaltechniek Advies Schoonmaak
Logistiek Elektrotechniek Administratiekantoor Vastgoed Koeltechniek Accountants Timmerwerken""")
STEMS = ["Domstad", "Vechtdal", "Kromme Rijn", "Lekdijk", "Heuvelrug", "Polderland", "Eemland",
         "Utrechtse Waard", "Oudwijk", "Leidsche Rijn", "Lunetten", "Amelisweerd"]  # fmt: skip
LARGE = ["Zorggroep {stem}", "Hotel {stem}", "{last} Foodgroup B.V.", "Koelhuis {city} B.V.",
         "Scholengroep {stem}", "Distributiecentrum {city}", "{last} Metaalindustrie B.V.",
         "Woonzorg {stem}", "Sportcentrum {city}", "{stem} Kantoorparken B.V."]  # fmt: skip
COOPERATIVES = ["Energiecoöperatie {stem} U.A.", "Zon op {city} U.A.",
                "Windcoöperatie {stem} U.A.", "Buurtstroom {city} U.A."]  # fmt: skip
CONTACT_TITLES = {
    "MKB": ["Eigenaar", "Directeur", "Office manager", "Financieel administrateur",
            "Bedrijfsleider"],
    "Zakelijk groot": ["Facilitair manager", "Inkoper energie", "Duurzaamheidsmanager",
                       "Controller", "Manager bedrijfsvoering"],
    "Energiecoöperaties": ["Voorzitter", "Penningmeester", "Secretaris", "Bestuurslid"],
}  # fmt: skip

# Team leads who speak with customers daily.
FACING_LEADS = {"klantenservice", "accountmanagement", "meters-installatie"}


def _fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: "van 't Hof" → "vanthof", "Öztürk" → "ozturk"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return "".join(ch for ch in ascii_text.decode().lower() if ch.isalnum())


def _capitalise(name: str) -> str:
    """Dutch surname prefixes are capitalised when no first name precedes them."""
    return name[:1].upper() + name[1:]


def _name(rng: random.Random, english: bool) -> tuple[str, str]:
    if english:
        return rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return rng.choice(NL_FIRST), rng.choice(NL_LAST)


def _mobile(rng: random.Random) -> str:
    digits = str(rng.randint(10_000_000, 69_999_999))
    return f"+31 6 {digits[:4]} {digits[4:]}"


def _landline(rng: random.Random, city: str) -> str:
    area = AREA_CODES[city]
    digits = str(rng.randint(2 * 10 ** (8 - len(area)), 10 ** (9 - len(area)) - 1))
    return f"+31 {area} {digits[:3]} {digits[3:]}"


def _signup_times(rng: random.Random, now: datetime, count: int) -> list[datetime]:
    """Sign-up moments over the last years, growing to about three times the early monthly rate."""
    start = now - timedelta(days=365 * YEARS_OF_HISTORY)
    span = (now - start).total_seconds()
    growth = math.log(3)
    times: list[datetime] = []
    for _ in range(count):
        # Inverse of the distribution function of a density proportional to exp(growth * t).
        t = math.log1p(rng.random() * (math.exp(growth) - 1)) / growth
        times.append(start + timedelta(seconds=int(t * span)))
    return sorted(times)


# --- the seed --------------------------------------------------------------------------------


def seed_demo(*, seed: int = 2026, now: datetime | None = None) -> SeedReport:
    """Create the demo organisation, or only refresh its logins if it already exists."""
    now = now or timezone.now()
    with transaction.atomic():
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        created = organisation is None
        if organisation is None:
            rng = random.Random(seed)
            organisation = Organisation.objects.create(
                name=DEMO_NAME, slug=DEMO_SLUG, language="nl", created_at=now
            )
            segments = {
                name: Segment.objects.create(
                    organisation=organisation, name=name, description=text, created_at=now
                )
                for name, text in SEGMENTS
            }
            teams = _create_teams(organisation, now)
            _create_people(rng, organisation, teams, now)
            _create_customers(rng, organisation, segments, now)
        _ensure_logins(organisation, now)
        return _report(organisation, created)


def _create_teams(organisation: Organisation, now: datetime) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for slug, name, description in DEPARTMENTS:
        teams[slug] = Team.objects.create(
            organisation=organisation, name=name, slug=slug, kind="department",
            description=description, created_at=now,
        )  # fmt: skip
    for slug, name, department, description, _lead, _staff in TEAMS:
        teams[slug] = Team.objects.create(
            organisation=organisation, name=name, slug=slug, kind="team",
            parent=teams[department], description=description, created_at=now,
        )  # fmt: skip
    return teams


def _create_people(
    rng: random.Random, organisation: Organisation, teams: dict[str, Team], now: datetime
) -> None:
    logins = {(spec.team, spec.job_title): spec for spec in LOGINS}
    used_names = {spec.name for spec in LOGINS}
    used_emails = {spec.email for spec in LOGINS}
    people: list[Person] = []
    for slug, _team_name, _department, _description, lead_title, staff in TEAMS:
        slots = [Staff(lead_title, slug in FACING_LEADS, 1, role="manager"), *staff]
        for job_title, facing, count, role in slots:
            for _ in range(count):
                spec = logins.pop((slug, job_title), None)
                if spec is not None:
                    name, email, language, role_now = spec.name, spec.email, "nl", spec.role
                else:
                    english = rng.random() < 0.12
                    first, last = _name(rng, english)
                    email = f"{_fold(first)}.{_fold(last)}@{DOMAIN}"
                    while f"{first} {last}" in used_names or email in used_emails:
                        first, last = _name(rng, english)
                        email = f"{_fold(first)}.{_fold(last)}@{DOMAIN}"
                    name, language, role_now = f"{first} {last}", "en" if english else "nl", role
                used_names.add(name)
                used_emails.add(email)
                people.append(Person(
                    organisation=organisation, name=name, email=email, role=role_now,
                    team=teams[slug], job_title=job_title, customer_facing=facing,
                    language=language, created_at=now,
                ))  # fmt: skip
    assert not logins, f"demo logins without a matching place: {list(logins)}"
    Person.objects.bulk_create(people)


def _create_customers(
    rng: random.Random, organisation: Organisation, segments: dict[str, Segment], now: datetime
) -> None:
    consumers = round(CUSTOMER_COUNT * CONSUMER_SHARE)
    kinds = ["consumer"] * consumers + ["business"] * (CUSTOMER_COUNT - consumers)
    rng.shuffle(kinds)
    city_names = [name for name, _code, _weight in CITIES]
    city_weights = [weight for _name, _code, weight in CITIES]
    used_emails: set[str] = set()
    used_names: set[str] = set()
    customers: list[Customer] = []
    contacts: list[tuple[int, list[CustomerContactPerson]]] = []
    # Customer numbers follow sign-up order, as they would in a billing system.
    for number, (kind, created_at) in enumerate(
        zip(kinds, _signup_times(rng, now, CUSTOMER_COUNT), strict=True), start=100_001
    ):
        surveys = rng.random() < 0.92
        customer = Customer(
            organisation=organisation, external_id=f"PS-{number}", kind=kind,
            consent_surveys=surveys, consent_marketing=rng.random() < 0.35, created_at=created_at,
            # Those who unsubscribed did so some time after signing up.
            consent_updated_at=created_at if surveys
            else created_at + (now - created_at) * rng.random(),
        )  # fmt: skip
        if kind == "consumer":
            english = rng.random() < 0.15
            first, last = _name(rng, english)
            customer.name = f"{first} {last}"
            customer.language = "en" if english else "nl"
            customer.city = (
                rng.choice(EXPAT_CITIES) if english else rng.choices(city_names, city_weights)[0]
            )
            customer.phone = _mobile(rng)
            customer.segment = segments["Huishoudens"]
            base = local = f"{_fold(first)}.{_fold(last)}"
            domain = rng.choice(CONSUMER_MAIL)
            while f"{local}@{domain}" in used_emails:  # namesakes add a number, as people do
                local = f"{base}{rng.randint(1, 99)}"
            customer.email = f"{local}@{domain}"
        else:
            roll = rng.random()
            segment = (
                "Energiecoöperaties" if roll < 0.08 else "Zakelijk groot" if roll < 0.23 else "MKB"
            )
            customer.city = rng.choices(city_names, city_weights)[0]
            customer.name = _business_name(rng, segment, customer.city, used_names)
            customer.segment = segments[segment]
            customer.phone = _landline(rng, customer.city)
            domain = f"{_fold(customer.name.removesuffix(' B.V.').removesuffix(' U.A.'))}.example"
            prefix = rng.choice(["info", "administratie", "facturen", "contact"])
            customer.email = f"{prefix}@{domain}"
            people = _contact_people(rng, organisation, segment, domain, created_at)
            customer.language = people[0].language
            contacts.append((len(customers), people))
        used_names.add(customer.name)
        used_emails.add(customer.email)
        customers.append(customer)
    # SQLite and PostgreSQL both return the new ids, so contact people can point at them.
    created = Customer.objects.bulk_create(customers)
    rows: list[CustomerContactPerson] = []
    for index, people in contacts:
        for person in people:
            person.customer = created[index]
            rows.append(person)
    CustomerContactPerson.objects.bulk_create(rows)


def _business_name(rng: random.Random, segment: str, city: str, used: set[str]) -> str:
    for _attempt in range(6):
        last = rng.choice(NL_LAST)
        stem = rng.choice(STEMS)
        if segment == "Energiecoöperaties":
            name = rng.choice(COOPERATIVES).format(stem=stem, city=city)
        elif segment == "Zakelijk groot":
            name = rng.choice(LARGE).format(stem=stem, city=city, last=_capitalise(last))
        elif rng.random() < 0.5:
            name = f"{rng.choice(TRADES)} {last}"
        else:
            name = f"{_capitalise(last)} {rng.choice(ACTIVITIES)} B.V."
        if name not in used:
            return name
    return f"{name} ({city})"


def _contact_people(
    rng: random.Random, organisation: Organisation, segment: str, domain: str, when: datetime
) -> list[CustomerContactPerson]:
    """One to three people at a business customer, the first being the primary contact."""
    count = rng.choice([2, 2, 3]) if segment != "MKB" else rng.choices([1, 2, 3], [55, 35, 10])[0]
    english = rng.random() < 0.08  # an international company: its people speak English
    people: list[CustomerContactPerson] = []
    for index, job_title in enumerate(rng.sample(CONTACT_TITLES[segment], count)):
        first, last = _name(rng, english)
        people.append(CustomerContactPerson(
            organisation=organisation, name=f"{first} {last}", job_title=job_title,
            email=f"{_fold(first)}.{_fold(last)}@{domain}", phone=_mobile(rng),
            language="en" if english else "nl", is_primary=index == 0, created_at=when,
        ))  # fmt: skip
    return people


def _ensure_logins(organisation: Organisation, now: datetime) -> None:
    """The three demo logins exist, are active, and open with the demo password."""
    teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
    for spec in LOGINS:
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User.objects.create_user(email=spec.email, password=DEMO_PASSWORD)
        # Re-hashing an unchanged password would log out everyone using the demo right now.
        elif not user.is_active or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        person = Person.objects.filter(organisation=organisation, email__iexact=spec.email).first()
        if person is None:  # deleted while exploring the demo: bring it back
            person = Person(
                organisation=organisation, name=spec.name, email=spec.email,
                team=teams.get(spec.team), job_title=spec.job_title, created_at=now,
            )  # fmt: skip
        if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
            continue  # the login belongs to someone else; leave it alone
        person.user = user
        person.role = spec.role
        person.is_active = True
        person.save()


def _report(organisation: Organisation, created: bool) -> SeedReport:
    return SeedReport(
        organisations=1,
        teams=Team.objects.filter(organisation=organisation).count(),
        people=Person.objects.filter(organisation=organisation).count(),
        customers=Customer.objects.filter(organisation=organisation).count(),
        contact_people=CustomerContactPerson.objects.filter(organisation=organisation).count(),
        segments=Segment.objects.filter(organisation=organisation).count(),
        created=created,
        logins=[DemoLogin(email=spec.email, role=spec.role, name=spec.name) for spec in LOGINS],
    )
