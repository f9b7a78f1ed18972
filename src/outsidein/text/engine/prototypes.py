"""Prototype sentences per polarity, written by the team (not taken from any data set), from
which the out-of-the-box sentiment model learns where negative, neutral and positive comments
lie in the sentence encoder's space. Dutch and English, about customer service, delivery,
billing, products, shops, restaurants, apps and staff; with negation, contrast ("maar",
"but"), intensifiers, litotes ("niet slecht") and sarcasm, so the model meets those patterns.

"neutral" here means an explicit, lukewarm judgement ("it was okay", "gemiddeld"); a comment
without any opinion has no polarity at all and is not a prototype.

``python -m outsidein.text.engine.prior`` rebuilds the shipped model from these sentences."""

from __future__ import annotations

NL = {
    "positive": """
De gerechten waren met zorg bereid en mooi gepresenteerd.
De ober kende de wijnkaart goed en gaf een goed advies.
We werden hartelijk ontvangen.
Het dessert was een feest.
De vis was perfect gebakken.
Voor deze prijs krijg je echt veel kwaliteit.
Een aanrader voor wie van goed eten houdt.
We komen hier al jaren en het blijft goed.
Het personeel was attent zonder opdringerig te zijn.
De levering werd netjes aan de deur afgegeven.
De installatie verliep zonder problemen.
Ik kreeg meteen een nieuwe, zonder discussie.
Ze namen ruim de tijd om alles uit te leggen.
Fijne ervaring van begin tot eind.
Zeer gastvrij en een heerlijke keuken.
De chef kwam zelf even langs, heel sympathiek.
Je voelt je er meteen thuis.
Het geld meer dan waard.
Alles werd snel en correct afgehandeld.
Ik heb nog nooit zo lekker gegeten.
Het eten was heerlijk en de bediening heel vriendelijk.
Super snelle levering, binnen een dag in huis.
De medewerker aan de telefoon was erg behulpzaam en loste alles meteen op.
Wat een fijne winkel, ik kom zeker terug.
Prima service, netjes geholpen.
Echt een aanrader!
Mijn probleem was binnen vijf minuten opgelost, top!
Ik ben zeer tevreden over de afhandeling.
Vriendelijk personeel en een gezellige sfeer.
De app werkt snel en is overzichtelijk.
Alles klopte, keurig op tijd bezorgd.
Goede prijs-kwaliteitverhouding.
Het pakket kwam eerder dan verwacht, heel blij mee.
De monteur was vakkundig en ruimde alles netjes op.
Heerlijk gegeten, complimenten aan de kok.
Altijd goed geholpen bij deze klantenservice.
De nieuwe website is een stuk duidelijker geworden.
Fantastische ervaring, dank jullie wel!
Ik ben niet ontevreden.
Niets op aan te merken.
Nooit problemen gehad, altijd betrouwbaar.
De factuur was duidelijk en correct.
Het personeel denkt echt met je mee.
Snel antwoord op mijn mail, dat waardeer ik.
Ze hebben het zonder gedoe teruggestort.
Lekkere koffie en een mooi terras.
De kwaliteit van het product is uitstekend.
Het duurde even, maar uiteindelijk werd ik heel goed geholpen.
Eerst twijfelde ik, maar het is een prima toestel.
Geen enkel probleem, alles ging vlot.
Je merkt dat ze hun klanten serieus nemen.
Bedankt voor de snelle en vriendelijke hulp.
Goede service, ga zo door.
Prettig contact en duidelijke uitleg.
De porties waren ruim en alles was vers.
Ik raad dit bedrijf iedereen aan.
Het was een geweldige avond.
Beter dan ik had verwacht.
Zeer professioneel en klantvriendelijk.
De chauffeur was beleefd en op tijd.
Mooie kamer, schoon en rustig.
De retour was heel makkelijk geregeld.
Ik heb er geen spijt van.
Eindelijk een bedrijf dat doet wat het belooft.
Zo hoort klantenservice te zijn.
Het abonnement is betaalbaar en de dekking is goed.
Top geregeld!
Heel tevreden, vijf sterren.
De gerechten zagen er prachtig uit en smaakten nog beter.
Snelle reactie en een goede oplossing.
""",
    "negative": """
We moesten drie kwartier wachten op ons eten.
De soep was lauw en de saus kwam uit een pakje.
Niemand kwam vragen of alles naar wens was.
Er stond een verkeerd bedrag op de rekening.
De ober was kortaf en had duidelijk geen zin.
Voor die prijs verwacht je toch meer.
Het was veel te druk en veel te lawaaierig.
De porties waren klein en de prijzen hoog.
We werden aan een tafeltje bij de wc gezet.
Na het eten voelden we ons allebei niet lekker.
Het pakket is nooit aangekomen.
Ze hebben mijn bestelling zonder bericht geannuleerd.
Ik moest alles drie keer uitleggen.
De monteur kwam niet opdagen.
Mijn geld heb ik nog steeds niet terug.
De verpakking was open en het product gebruikt.
Het personeel negeerde ons de hele avond.
Er zat een haar in mijn eten.
Het duurde een eeuwigheid voor we konden bestellen.
Dit was de laatste keer dat ik hier kom.
De bezorging was veel te laat en niemand nam de telefoon op.
Het eten was koud en smakeloos.
Onvriendelijke medewerker, ik voelde me niet welkom.
Ik wacht al drie weken op mijn terugbetaling.
De app crasht steeds en ik kan niet inloggen.
De factuur klopt niet en de klantenservice reageert nooit.
Veel te duur voor wat je krijgt.
Het pakket was beschadigd en er ontbrak een onderdeel.
Ik ben zeer ontevreden over de service.
Nooit meer, wat een slechte ervaring.
Geweldig, alweer een verkeerde rekening. Echt top hoor.
Lekker dan, weer een uur in de wacht.
Fijn hoor, weer niemand die terugbelt.
Bedankt voor niets.
De medewerker was niet vriendelijk en totaal niet behulpzaam.
Ik ben niet tevreden.
Het was niet lekker en de bediening was traag.
Ze beloven van alles maar er gebeurt niets.
De website is onduidelijk en vol fouten.
Ik heb al vijf keer gebeld en word steeds doorverbonden.
Er werd geen excuus aangeboden.
Mijn klacht werd genegeerd.
Teleurstellend, ik had meer verwacht.
Het vlees was taai en de frietjes waren vet.
Het contract werd zonder overleg verlengd.
Er wordt te veel in rekening gebracht.
Het duurde eindeloos voordat iemand reageerde.
Schandalig hoe er met klanten wordt omgegaan.
Het product ging na een week al kapot.
Ik krijg geen antwoord op mijn mails.
De levering is weer niet gekomen.
Slechtste klantenservice ooit.
Het was vies en rommelig in de winkel.
Het eten was wel lekker, maar we moesten een uur wachten.
Aardig personeel, maar ze konden me niet helpen.
Mooie winkel, maar veel te duur en slecht geholpen.
Niet aan te raden.
De storing duurt nu al dagen.
Onbetrouwbare bezorger, het pakket lag gewoon in de regen.
Ik voel me opgelicht.
Weer een verkeerde bestelling, ik ben het zat.
Niemand weet hoe het zit, iedereen zegt iets anders.
De wachttijd aan de telefoon is belachelijk lang.
Het is nog steeds niet opgelost.
Zonde van het geld.
Nooit meer bestellen hier.
Wat een gedoe om een simpel abonnement op te zeggen.
De kamer rook muf en de douche was kapot.
Ik heb de verkeerde maat gekregen en moet zelf de verzendkosten betalen.
Jammer, de kwaliteit is flink achteruit gegaan.
""",
    "neutral": """
De kaart is beperkt maar dat hoeft geen probleem te zijn.
Het eten is degelijk, zonder verrassingen.
Alles was in orde, maar het maakte geen indruk.
Een gewoon restaurant met gewone gerechten.
Het was lekker, maar niet bijzonder.
De service was correct, niet meer en niet minder.
Het is wat het is.
Geen hoogvlieger, geen afknapper.
Prijzen zijn zoals overal.
De bezorging was gemiddeld snel.
Het was oké, niets bijzonders.
Gemiddelde service.
Redelijk, maar niet meer dan dat.
Niet slecht, maar ook niet goed.
Het eten was gewoon, zoals verwacht.
Prima, niets op aan te merken maar ook niets bijzonders.
Het was zoals altijd.
Matig tot redelijk.
Standaard service, niets om over naar huis te schrijven.
De prijs is normaal voor wat je krijgt.
Het product doet wat het moet doen.
Voldoende, maar er is ruimte voor verbetering.
Niet geweldig, niet slecht.
Het was een gewone avond.
Gemiddeld eten voor een gemiddelde prijs.
De levering was op tijd, meer valt er niet over te zeggen.
Neutraal, geen uitgesproken mening.
Het kan beter, het kan slechter.
Zo zo.
Een doorsnee ervaring.
Het smaakte zoals je zou verwachten.
Acceptabel.
Redelijke service, redelijke prijs.
Het was in orde.
Niks mis mee, maar ook niet bijzonder.
De kwaliteit is zoals bij andere winkels.
Gewoon een standaard pakket.
De sfeer was wat rustig, het eten gewoon.
Middelmatig.
Het was te doen.
""",
}

EN = {
    "positive": """
The dishes were prepared with care and beautifully presented.
The waiter knew the wine list well and gave good advice.
We were welcomed warmly.
The dessert was a treat.
The fish was cooked perfectly.
You get real quality for this price.
A must for anyone who loves good food.
We have been coming here for years and it is still great.
The staff were attentive without being pushy.
The parcel was handed over neatly at the door.
The installation went without a hitch.
They replaced it straight away, no questions asked.
They took plenty of time to explain everything.
A lovely experience from start to finish.
Very hospitable and a wonderful kitchen.
The chef came by our table, very nice.
You feel at home right away.
Worth every penny.
Everything was handled quickly and correctly.
Best meal I have had in ages.
The food was delicious and the staff were very friendly.
Super fast delivery, it arrived the next day.
The agent on the phone was really helpful and fixed everything at once.
Lovely shop, I will definitely come back.
Great service, well looked after.
Highly recommended!
My problem was solved within five minutes, brilliant!
I am very happy with how this was handled.
Friendly staff and a cosy atmosphere.
The app is fast and easy to use.
Everything was correct and delivered on time.
Good value for money.
The parcel came earlier than expected, very pleased.
The engineer knew what he was doing and left everything tidy.
We had a wonderful meal, compliments to the chef.
Customer service always helps me well.
The new website is much clearer.
Fantastic experience, thank you so much!
I am not unhappy with it.
Nothing to complain about.
Never had a problem, always reliable.
The invoice was clear and correct.
The staff really think along with you.
Quick answer to my email, I appreciate that.
They refunded me without any hassle.
Great coffee and a nice terrace.
The quality of the product is excellent.
It took a while, but in the end they helped me very well.
I had doubts at first, but it is a fine device.
No problems at all, everything went smoothly.
You can tell they take their customers seriously.
Thanks for the quick and friendly help.
Good service, keep it up.
Pleasant contact and a clear explanation.
The portions were generous and everything was fresh.
I would recommend this company to anyone.
It was an amazing evening.
Better than I expected.
Very professional and customer friendly.
The driver was polite and on time.
Nice room, clean and quiet.
The return was very easy to arrange.
I do not regret it at all.
Finally a company that does what it promises.
This is how customer service should be.
The subscription is affordable and the coverage is good.
Sorted perfectly!
Very satisfied, five stars.
The dishes looked beautiful and tasted even better.
Fast response and a good solution.
""",
    "negative": """
We had to wait forty-five minutes for our food.
The soup was lukewarm and the sauce came out of a packet.
Nobody came to ask if everything was alright.
The bill had the wrong amount on it.
The waiter was curt and clearly could not be bothered.
For that price you expect more.
It was far too busy and far too loud.
The portions were small and the prices high.
We were seated at a table next to the toilets.
After the meal we both felt sick.
The parcel never arrived.
They cancelled my order without telling me.
I had to explain everything three times.
The engineer did not show up.
I still have not got my money back.
The box was open and the product had been used.
The staff ignored us all evening.
There was a hair in my food.
It took ages before we could order.
This was the last time I come here.
The delivery was far too late and nobody answered the phone.
The food was cold and tasteless.
Rude employee, I did not feel welcome.
I have been waiting three weeks for my refund.
The app keeps crashing and I cannot log in.
The invoice is wrong and customer service never replies.
Way too expensive for what you get.
The parcel was damaged and a part was missing.
I am very dissatisfied with the service.
Never again, what a bad experience.
Great, another wrong bill. Just perfect.
Oh wonderful, another hour on hold.
Thanks a lot for nothing.
Yeah right, they will call back, sure.
The agent was not friendly and not helpful at all.
I am not happy.
It was not tasty and the service was slow.
They promise everything but nothing happens.
The website is confusing and full of errors.
I have called five times and keep being transferred.
No apology was offered.
My complaint was ignored.
Disappointing, I expected more.
The meat was tough and the fries were greasy.
The contract was renewed without asking me.
They overcharged me.
It took forever before anyone responded.
Shameful how they treat customers.
The product broke after a week.
I never get an answer to my emails.
The delivery did not show up again.
Worst customer service ever.
The shop was dirty and messy.
The food was good, but we had to wait an hour.
Nice staff, but they could not help me.
Nice shop, but far too expensive and poor help.
Would not recommend.
The outage has been going on for days.
Unreliable courier, the parcel was left in the rain.
I feel ripped off.
Another wrong order, I am fed up.
Nobody knows what is going on, everyone says something different.
The waiting time on the phone is ridiculous.
It is still not fixed.
A waste of money.
I will never order here again.
Such a hassle to cancel a simple subscription.
The room smelled musty and the shower was broken.
I received the wrong size and have to pay the return postage myself.
Too bad, the quality has gone down a lot.
""",
    "neutral": """
The menu is limited but that need not be a problem.
The food is solid, no surprises.
Everything was in order, but it did not impress.
An ordinary restaurant with ordinary dishes.
It was tasty, but nothing special.
The service was correct, no more and no less.
It is what it is.
No highlight, no letdown.
Prices are like everywhere else.
The delivery was averagely fast.
It was okay, nothing special.
Average service.
Reasonable, but no more than that.
Not bad, but not good either.
The food was ordinary, as expected.
Fine, nothing wrong with it but nothing special either.
It was the same as always.
Mediocre to decent.
Standard service, nothing to write home about.
The price is normal for what you get.
The product does what it should.
Adequate, but there is room for improvement.
Not great, not terrible.
It was an ordinary evening.
Average food for an average price.
The delivery was on time, there is not much more to say.
Neutral, no strong opinion.
It could be better, it could be worse.
So-so.
A run-of-the-mill experience.
It tasted like you would expect.
Acceptable.
Reasonable service, reasonable price.
It was alright.
Nothing wrong with it, but nothing special.
The quality is the same as in other shops.
Just a standard package.
The atmosphere was a bit quiet, the food ordinary.
Middling.
It was fine, I guess.
""",
}


def sentences(language: str) -> list[tuple[str, str]]:
    """``(sentence, polarity)`` pairs of one language."""
    table = NL if language == "nl" else EN
    return [
        (line.strip(), label)
        for label, block in table.items()
        for line in block.strip().splitlines()
        if line.strip()
    ]
