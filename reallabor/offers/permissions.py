"""Who sees and changes the offers catalogue, recommendations and uptakes.

The office keeps the catalogue: administrators and lab coordinators (the same people who see the
actors' personal data, ``actors.permissions.can_see_personal_data``; the system, user None, too).
They see every offer, drafts, retired and expired ones included. Everybody else (the public, the
businesses, readers, partners) sees the published offers whose deadline has not passed.

Which offers were recommended to and taken up by which business is business data of the office:
only the office sees and records it. Partners (e.g. a chamber's advisors) editing their own
organisation's offers and recording uptakes of their own offers come later.
"""

from __future__ import annotations

from typing import Any

from reallabor.actors.permissions import can_see_personal_data


def is_office(user: Any) -> bool:
    return can_see_personal_data(user)


can_manage_offers = is_office
can_see_all_offers = is_office
can_record_recommendations = is_office
can_record_uptake = is_office
can_see_recommendations = is_office
can_import_offers = is_office
