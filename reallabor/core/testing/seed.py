"""The seed documents' overview table (/work/shared/seeds/001_*.txt), for the tests of every view of it.

The portfolio page, the report (HTML, PDF, Markdown, .docx) all reproduce it. The seed's first
measure ends in a stray colon (»…und Netzwerk:«): the layout's, not part of the title.
"""

HANDEL = "Hybride Formen des Handels"
HANDWERK = "Digitale Koproduktion im Handwerk"
FACHKRAEFTE = "Fachkräftesicherung"
FAIRTRADE = "Fairtrade-Town – Auszeichnung und Netzwerk"
HALLOBOT = "HalloBot – Onlineplattform und Digitalisierungsangebot"
KOOPERATION = "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen"
INTEGRATION = "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen"
SDG8 = "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"

SEED_OVERVIEW = [
    (
        HANDEL,
        [
            (
                FAIRTRADE,
                [
                    "MT »Faires Handeln«",
                    "SDG 11 »Nachhaltige Städte und Gemeinden«",
                    "SDG 12 »Nachhaltige/r Konsum und Produktion«",
                ],
            ),
            (HALLOBOT, ["MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)"]),
        ],
    ),
    (HANDWERK, [(KOOPERATION, ["MT »Digitalisierung«", SDG8])]),
    (
        FACHKRAEFTE,
        [
            (
                INTEGRATION,
                ["MT »demografischer Wandel«", "MT »Migration«", SDG8, "SDG 10 »Weniger Ungleichheiten«"],
            )
        ],
    ),
]
"""The overview table of the seed documents: lab → measures → megatrends and SDGs, in order."""

PROFILE_LABELS = [
    "Aktivitäten",
    "Koordination",
    "Finanzierung",
    "Beteiligte Akteure",
    "Zielgruppe(n)",
    "Mehrwert",
    "Ergebnisse",
]
"""The seven rows of a measure's profile sheet, as the seed names them."""
