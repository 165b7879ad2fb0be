"""Version 1 of the consent text of every purpose (German: the wording people agree to).

Consent under Art. 6 (1) (a) DSGVO, voluntary and revocable at any time. The office writes new
versions on the page “Einwilligungstexte”; these first versions are never changed here.
"""

from django.db import migrations

_REVOCATION = (
    "Die Einwilligung ist freiwillig. Rechtsgrundlage der Verarbeitung ist Art. 6 Abs. 1 lit. a DSGVO. "
    "Ich kann meine Einwilligung jederzeit ohne Angabe von Gründen mit Wirkung für die Zukunft widerrufen, "
    "zum Beispiel per E-Mail, per Brief, telefonisch oder über den Abmeldelink in jeder E-Mail. "
    "Die Rechtmäßigkeit der bis zum Widerruf erfolgten Verarbeitung bleibt davon unberührt. "
    "Nach dem Widerruf werden meine Daten für diesen Zweck nicht mehr verwendet und gelöscht, soweit "
    "keine gesetzliche Pflicht zur Aufbewahrung besteht. Ich habe das Recht auf Auskunft, Berichtigung, "
    "Löschung und Einschränkung der Verarbeitung sowie auf Beschwerde bei der zuständigen "
    "Datenschutzaufsichtsbehörde."
)

TEXTS = {
    "newsletter": (
        "Ich willige ein, dass die städtische Wirtschaftsförderung meinen Namen, meine E-Mail-Adresse und "
        "gegebenenfalls meine Organisation speichert und verwendet, um mir ihren Newsletter mit "
        "Informationen zu den Reallaboren, zu Veranstaltungen sowie zu Förder- und Beratungsangeboten "
        "für die lokale Wirtschaft per E-Mail zuzusenden."
    ),
    "event_follow_up": (
        "Ich willige ein, dass die städtische Wirtschaftsförderung meinen Namen, meine Kontaktdaten und "
        "meine Teilnahme an einer Veranstaltung speichert und verwendet, um mich nach der Veranstaltung "
        "zu kontaktieren, etwa um mir Unterlagen und Ergebnisse zu senden, mich nach meiner Meinung zu "
        "fragen oder mich auf weiterführende Angebote und Termine hinzuweisen."
    ),
    "matching": (
        "Ich willige ein, dass die städtische Wirtschaftsförderung meine Kontaktdaten sowie Angaben zu "
        "meiner Organisation, ihren Bedarfen und Interessen speichert und verwendet, um mir passende "
        "Förder- und Beratungsangebote, Veranstaltungen und mögliche Kooperationspartner vorzuschlagen "
        "und mich dazu zu kontaktieren. Meine Kontaktdaten werden an mögliche Kooperationspartner nur "
        "weitergegeben, wenn ich im Einzelfall zugestimmt habe."
    ),
    "benchmarking": (
        "Ich willige ein, dass die städtische Wirtschaftsförderung mich zu Befragungen einlädt und meine "
        "Angaben (zum Beispiel Kennzahlen meiner Organisation) für Vergleiche und Auswertungen "
        "(Benchmarking) verwendet. Veröffentlicht oder an Dritte weitergegeben werden nur zusammengefasste "
        "Ergebnisse, aus denen weder ich noch meine Organisation erkennbar sind."
    ),
    "photos": (
        "Ich willige ein, dass die städtische Wirtschaftsförderung Fotos und Videoaufnahmen, auf denen ich "
        "zu erkennen bin und die bei Veranstaltungen und Terminen der Reallabore entstehen, für ihre "
        "Öffentlichkeitsarbeit verwendet: auf ihren Internetseiten, in Berichten, Pressemitteilungen und "
        "Druckerzeugnissen sowie in ihren Auftritten in sozialen Medien. Mir ist bekannt, dass im Internet "
        "veröffentlichte Aufnahmen weltweit abrufbar sind und von Dritten kopiert werden können. Ein "
        "Widerruf gilt für künftige Veröffentlichungen; bereits gedruckte Materialien können nicht "
        "zurückgerufen werden."
    ),
}


def seed(apps, schema_editor):
    ConsentText = apps.get_model("actors", "ConsentText")
    for purpose, text in TEXTS.items():
        if not ConsentText.objects.filter(purpose=purpose).exists():
            ConsentText.objects.create(purpose=purpose, version=1, text=f"{text}\n\n{_REVOCATION}")


def unseed(apps, schema_editor):
    ConsentText = apps.get_model("actors", "ConsentText")
    Consent = apps.get_model("actors", "Consent")
    used = Consent.objects.values("text_id")
    ConsentText.objects.filter(version=1, purpose__in=list(TEXTS)).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
