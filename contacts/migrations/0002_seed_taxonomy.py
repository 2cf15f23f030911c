"""Seed the code lists of DESIGN.md. Codes are stable; labels may be edited in the admin."""

from django.db import migrations

# model name -> [(code, Dutch label, English label)]; sort order follows the list.
TAXONOMY = {
    "Theme": [
        ("child_abuse", "Kindermishandeling", "Child abuse"),
        ("partner_violence", "Partnergeweld", "Partner violence"),
        ("violence_against_adults", "Geweld tegen volwassenen", "Violence against adults"),
        ("divorce_conflict", "Scheidingsproblematiek", "Divorce conflict"),
        ("elder_abuse", "Ouderenmis(be)handeling", "Elder abuse"),
        ("violence_between_children", "Geweld tussen kinderen", "Violence between children"),
        ("trauma_processing", "Verwerkingsproblematiek", "Trauma processing"),
        ("parent_abuse", "Oudermishandeling", "Parent abuse"),
        ("historical_abuse", "Historisch misbruik", "Historical abuse"),
        ("honour_related_violence", "Eergerelateerd geweld", "Honour-related violence"),
        ("ritual_violence", "Ritueel geweld", "Ritual violence"),
        ("forced_adoption", "Gedwongen adoptie", "Forced adoption"),
        ("other", "Andere problematiek", "Other problems"),
    ],
    "ViolenceForm": [
        ("physical", "Fysiek geweld", "Physical violence"),
        ("psychological", "Psychisch geweld", "Psychological violence"),
        ("sexual", "Seksueel geweld", "Sexual violence"),
        ("neglect", "Verwaarlozing", "Neglect"),
        ("economic", "Economisch geweld", "Economic violence"),
        ("online", "Online geweld", "Online violence"),
        ("other", "Andere", "Other"),
    ],
    "ViolenceContext": [
        ("family", "Gezin", "Family"),
        ("separated_family", "Gescheiden gezin", "Separated family"),
        ("school", "School", "School"),
        ("sport", "Sport", "Sport"),
        ("culture_youth", "Cultuur en jeugdwerk", "Culture and youth work"),
        ("care_institution", "Zorginstelling", "Care institution"),
        ("work", "Werk", "Work"),
        ("online", "Online", "Online"),
        ("public_space", "Publieke ruimte", "Public space"),
        ("other", "Andere", "Other"),
    ],
    "Gender": [
        ("female", "Vrouw", "Female"),
        ("male", "Man", "Male"),
        ("other", "X / anders", "Other"),
        ("unknown", "Onbekend", "Unknown"),
    ],
    "CallerAgeGroup": [
        ("under_12", "-12 jaar", "Under 12"),
        ("age_12_17", "+12 jaar, minderjarig", "12 or older, minor"),
        ("adult", "Meerderjarig", "Adult"),
        ("unclear", "Onduidelijk", "Unclear"),
    ],
    "CallerRole": [
        ("victim", "Slachtoffer", "Victim"),
        ("perpetrator", "Pleger", "Perpetrator"),
        ("victim_environment", "Omgeving slachtoffer", "Victim's environment"),
        ("perpetrator_environment", "Omgeving pleger", "Perpetrator's environment"),
        ("professional", "Professional", "Professional"),
        ("other", "Andere", "Other"),
    ],
    "VictimAgeGroup": [
        ("unborn", "Ongeboren", "Unborn"),
        ("age_0_2", "0-2 jaar", "0-2 years"),
        ("age_3_5", "3-5 jaar", "3-5 years"),
        ("age_6_11", "6-11 jaar", "6-11 years"),
        ("age_12_17", "12-17 jaar", "12-17 years"),
        ("age_18_64", "18-64 jaar", "18-64 years"),
        ("age_65_plus", "65+ jaar", "65+ years"),
        ("unknown", "Onbekend", "Unknown"),
    ],
    "VictimRelation": [
        ("self", "Zichzelf", "Themselves"),
        ("child", "Kind", "Child"),
        ("grandchild", "Kleinkind", "Grandchild"),
        ("partner", "Partner", "Partner"),
        ("ex_partner", "Ex-partner", "Ex-partner"),
        ("parent", "Ouder", "Parent"),
        ("sibling", "Broer of zus", "Sibling"),
        ("other_family", "Andere familie", "Other family"),
        ("friend", "Vriend(in)", "Friend"),
        ("neighbour", "Buur", "Neighbour"),
        ("pupil_client", "Leerling of cliënt", "Pupil or client"),
        ("other", "Andere", "Other"),
        ("unknown", "Onbekend", "Unknown"),
    ],
    "Region": [
        ("antwerpen", "Antwerpen", "Antwerp"),
        ("limburg", "Limburg", "Limburg"),
        ("oost_vlaanderen", "Oost-Vlaanderen", "East Flanders"),
        ("vlaams_brabant", "Vlaams-Brabant", "Flemish Brabant"),
        ("west_vlaanderen", "West-Vlaanderen", "West Flanders"),
        ("brussel", "Brussel", "Brussels"),
        ("wallonie", "Wallonië", "Wallonia"),
        ("abroad", "Buitenland", "Abroad"),
        ("unknown", "Onbekend", "Unknown"),
    ],
    "AwarenessSource": [
        ("internet", "Internet of zoekmachine", "Internet or search engine"),
        ("social_media", "Sociale media", "Social media"),
        ("campaign", "Campagne", "Campaign"),
        ("media", "Pers (tv, radio, krant)", "Press (TV, radio, newspaper)"),
        ("school", "School of CLB", "School or pupil guidance centre"),
        ("professional", "Via een hulpverlener", "Through a care professional"),
        ("police", "Politie", "Police"),
        ("family_friends", "Familie of vrienden", "Family or friends"),
        ("flyer", "Folder of affiche", "Leaflet or poster"),
        ("earlier_contact", "Eerder contact met 1712", "Earlier contact with the line"),
        ("other", "Andere", "Other"),
    ],
    "Referral": [
        ("none", "Geen doorverwijzing", "No referral"),
        ("vk", "Vertrouwenscentrum Kindermishandeling", "Child abuse confidential centre"),
        ("caw", "CAW", "General welfare centre (CAW)"),
        ("police", "Politie", "Police"),
        ("gp", "Huisarts", "General practitioner"),
        ("jac", "JAC", "Youth advice centre (JAC)"),
        ("mental_health", "Centrum geestelijke gezondheidszorg", "Mental health centre"),
        ("justice", "Justitie of parket", "Justice or public prosecutor"),
        ("family_justice_center", "Family Justice Center", "Family Justice Center"),
        ("other", "Andere", "Other"),
    ],
}
MINOR_AGE_GROUPS = {"under_12", "age_12_17"}


def seed_taxonomy(apps, schema_editor):
    for model_name, terms in TAXONOMY.items():
        model = apps.get_model("contacts", model_name)
        for order, (code, label, label_en) in enumerate(terms, start=1):
            defaults = {"label": label, "label_en": label_en, "sort_order": order * 10}
            if model_name == "CallerAgeGroup":
                defaults["is_minor"] = code in MINOR_AGE_GROUPS
            model.objects.get_or_create(code=code, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(seed_taxonomy, migrations.RunPython.noop)]
