"""Every change of the events' data goes through a function in one of these modules.

Each function takes keyword arguments and the acting ``user`` — a member of the office, or None
for the participant acting through their personal link (and for the system: worker, CLI, demo
loader) — checks the permission (``PermissionDenied``), validates all input first
(``ValidationError({field: message})``, changing nothing) and writes inside one transaction.
Series and events record each change in the history (``history.services.record_version``).
E-mails are scheduled for after the commit (``notifications``).

- ``series``: create_series, update_series, set_series_public, cancel_series
- ``events``: create_event, update_event, publish_event, cancel_event, delete_event
  (``fields`` and ``questions`` check their input)
- ``registrations``: register, change_registration, cancel_registration, confirm_address,
  lapse_unconfirmed (``intake`` has the building blocks; ``answers`` checks the registrants'
  input; ``contacts`` links them to the actors' people, organisations and consents, and has
  ``record_bounce``)
- ``waitlist``: fill_seats, accept_offer, decline_offer, expire_offers
- ``checkin``: check_in, undo_check_in, find_for_check_in, walk_in (``attendance`` keeps the
  actors' timeline)
- ``feedback``: give_feedback
- ``invitations``: invite_people, invite_segment, mark_invitations_sent
- ``documents``: add_document, remove_document
- ``reminders``: due_reminders, claim_reminder
- ``tokens``: registration_token, registration_from_token, invitation_token,
  invitation_from_token (personal links)
- ``seats``: count_seats (reading)

Callers import the module they need: ``from reallabor.events.services import registrations``.
"""
