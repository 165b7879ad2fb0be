"""Every change of the actors' data goes through a function in one of these modules.

people (people, affiliations), relationships, needs (needs and motivations), stakeholders,
interactions, followups (office: the staff checks both share), segments, consent, mailings, privacy
(export, erasure, retention, audit trail), imports, duplicates (finding and merging). Callers
import the module they need: ``from reallabor.actors.services import people``.
"""
