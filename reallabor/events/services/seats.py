"""Counting seats (reads only; the writers lock the event first: ``common.lock_event``).

A seat is *held* by a registration that is ``registered`` or ``offered``. Organiser seats
(``reserved=True``, given by staff) use the event's ``reserved_seats`` first; beyond those they
take seats like anybody else. Everybody else shares the rest::

    free = capacity − max(reserved_seats, organisers holding) − others holding

Walk-ins hold seats too (they are there), so ``free`` may become negative: nobody gets a seat
then until enough have left.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from reallabor.events.models import Event, Registration


@dataclass(frozen=True)
class Seats:
    capacity: int | None
    reserved_seats: int
    organisers: int
    others: int
    waiting: int

    @property
    def taken(self) -> int:
        """Seats held by anybody (organisers included)."""
        return self.organisers + self.others

    @property
    def free(self) -> int | None:
        """Seats open to new registrations (None: unlimited)."""
        if self.capacity is None:
            return None
        return self.capacity - max(self.reserved_seats, self.organisers) - self.others

    @property
    def minimum_capacity(self) -> int:
        """The lowest capacity that keeps every held seat and the organisers' seats."""
        return max(self.reserved_seats, self.organisers) + self.others

    @property
    def has_free_seat(self) -> bool:
        return self.free is None or self.free > 0


def count_seats(event: Event) -> Seats:
    """The event's seats in one query."""
    holding = Q(status__in=Registration.HOLDING)
    counts = Registration.objects.filter(event=event).aggregate(
        organisers=Count("pk", filter=holding & Q(reserved=True)),
        others=Count("pk", filter=holding & Q(reserved=False)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
    )
    return Seats(
        capacity=event.capacity,
        reserved_seats=event.reserved_seats,
        organisers=counts["organisers"],
        others=counts["others"],
        waiting=counts["waiting"],
    )
