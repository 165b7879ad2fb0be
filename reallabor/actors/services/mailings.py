"""Mailings: compose for a segment, preview, test send, send through the worker, and the log.

A mailing is a draft until it is sent: only drafts are changed or deleted. Sending freezes the
recipient list (one ``MailingRecipient`` row per reachable person: in the segment, with an
e-mail address that has not bounced and a valid consent for the mailing's purpose), queues the
mailing and hands it to the worker (``actors.tasks.deliver_mailing``) once the transaction has
committed. The worker checks the consent again right before each message goes out.

**Delivery states.** Each recipient goes ``queued`` → ``sending`` (committed before the worker
talks to the SMTP server) → ``sent`` / ``failed`` / ``skipped``. A recipient still ``sending``
long after it was taken up (``UNCONFIRMED_AFTER``) is *unconfirmed*: the worker died or the
connection broke while handing the message over, so it may or may not have arrived. We prefer a
missed message to a duplicate: ``resume_mailing`` sends only the waiting recipients, reports the
unconfirmed ones (``delivery_state``), and queues them again only when the office asks for it
(``resend_unconfirmed=True``).

**The "Mehrwert" (added value) block.** The measures a mailing is about name their target
groups (``labs.TargetGroup``: a term of the ``target-groups`` vocabulary and the added value the
measure brings that group, in Markdown). Each target group row with an added value becomes one
block. A recipient whose current organisations are tagged with target-group terms (a
``taxonomy.Tag`` of the ``target-groups`` family on the organisation) gets only the blocks of
those groups (possibly none); everyone else – people without an organisation, or whose
organisations carry no target-group tag – gets all blocks. Groups are compared by their term
code, so tags on an older vocabulary version still match. ``added_value_blocks`` is this rule as
a pure function.

**Unsubscribing.** Every message carries a signed link (``unsubscribe_token``): the person's
uuid, the purpose and the mailing's uuid, signed with a salt per purpose. Following it withdraws
the person's consent for that purpose (``unsubscribe``); nobody needs to sign in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.actors import facts, permissions
from reallabor.actors.criteria import CriteriaError, parse_criteria
from reallabor.actors.filters import reachable_people, segment_people
from reallabor.actors.models import Affiliation, Mailing, MailingRecipient, Person, Purpose, Segment
from reallabor.actors.services import consent
from reallabor.labs.models import Measure, TargetGroup
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY, Tag

SUBJECT_MAX = 200
BODY_MAX = 100_000
FIELDS = ("subject", "body", "segment", "purpose", "measures")

# ---------------------------------------------------------------------------------------------
# The Mehrwert blocks (pure part)


@dataclass(frozen=True)
class AddedValueBlock:
    """The added value one measure brings one target group."""

    group: str  # the term code in the target-groups vocabulary
    group_label: str
    measure: str  # the measure's title
    text: str  # Markdown


def added_value_blocks(
    blocks: Sequence[AddedValueBlock], recipient_groups: Collection[str]
) -> list[AddedValueBlock]:
    """The blocks one recipient gets: those of their target groups, or all when they have none."""
    if not recipient_groups:
        return list(blocks)
    return [block for block in blocks if block.group in recipient_groups]


# ---------------------------------------------------------------------------------------------
# Loading what a message needs


def mailing_blocks(mailing: Mailing) -> list[AddedValueBlock]:
    """The Mehrwert blocks of the mailing's measures, in portfolio order (one query)."""
    rows = (
        TargetGroup.objects.filter(measure__in=mailing.measures.all())
        .exclude(added_value="")
        .select_related("term", "measure")
        .order_by("measure__lab__name", "measure__position", "measure__id", "position", "id")
    )
    return [
        AddedValueBlock(
            group=row.term.code, group_label=row.term.label, measure=row.measure.title, text=row.added_value
        )
        for row in rows
    ]


def recipient_groups(person_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The target-group codes of each person's current organisations (two queries)."""
    links = list(
        Affiliation.objects.current()
        .filter(person_id__in=list(person_ids))
        .values_list("person_id", "organisation_id")
    )
    if not links:
        return {}
    tags = Tag.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id__in={organisation for _person, organisation in links},
        term__vocabulary__family=TARGET_GROUP_FAMILY,
    ).values_list("object_id", "term__code")
    by_organisation: dict[int, set[str]] = {}
    for organisation, code in tags:
        by_organisation.setdefault(organisation, set()).add(code)
    groups: dict[int, set[str]] = {}
    for person, organisation in links:
        groups.setdefault(person, set()).update(by_organisation.get(organisation, ()))
    return {person: frozenset(codes) for person, codes in groups.items() if codes}


@dataclass(frozen=True)
class Audience:
    """How many people a mailing reaches: in the segment, and of those reachable."""

    in_segment: int
    reachable: int


def reachable_recipients(mailing: Mailing, *, user: Any = None) -> QuerySet[Person]:
    """The people the mailing would go to now, as ``user`` may use its segment (None: the system;
    none without a segment; ``ValidationError`` for a segment naming a lab the user does not see)."""
    if mailing.segment is None:
        return Person.objects.none()
    return reachable_people(_segment_people(mailing.segment, user), mailing.purpose)


def audience(mailing: Mailing, *, user: Any = None) -> Audience:
    """How many people the mailing reaches, as ``user`` may use its segment (see
    ``reachable_recipients``): a segment naming a lab the user does not see is not counted."""
    if mailing.segment is None:
        return Audience(0, 0)
    people = _segment_people(mailing.segment, user)
    # Broad criteria on SQLite: one pass over the table of facts per person (``actors.facts``).
    counted = facts.count(mailing.segment.subject, parse_criteria(mailing.segment.criteria), mailing.purpose)
    if counted is not None:
        return Audience(*counted)
    return Audience(people.count(), reachable_people(people, mailing.purpose).count())


def sample_recipient(mailing: Mailing, *, user: Any = None) -> Person | None:
    """The first reachable person by name: whom the preview and the test mail address (as ``user``
    may use the segment: see ``reachable_recipients``)."""
    return reachable_recipients(mailing, user=user).order_by("last_name", "first_name", "pk").first()


def recipient_counts(mailing: Mailing) -> dict[str, int]:
    """Recipients by status, and the total (one query)."""
    statuses = MailingRecipient.Status
    counts = MailingRecipient.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        **{status.value: Count("pk", filter=Q(status=status.value)) for status in statuses},
    )
    return {key: int(value or 0) for key, value in counts.items()}


def _segment_people(segment: Segment, user: Any = None) -> QuerySet[Person]:
    """The segment's people as ``user`` may use them (None: the system); a segment naming a lab the
    user does not see is refused like one naming a lab that no longer exists."""
    try:
        return segment_people(segment, user=user)
    except CriteriaError as error:
        raise ValidationError(
            {
                "segment": _("The segment's criteria no longer fit the data: %(errors)s")
                % {"errors": "; ".join(error.errors.values())}
            }
        ) from None


# ---------------------------------------------------------------------------------------------
# Compose


def _require(user: Any) -> None:
    if not permissions.can_send_mailings(user):
        raise PermissionDenied(_("Only the office's staff may write and send mailings."))


def _require_draft(mailing: Mailing, message: str) -> None:
    if mailing.status != Mailing.Status.DRAFT:
        raise ValidationError(message, code="conflict")


def _clean(
    user: Any, data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], list[Measure] | None]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown field “%(field)s”.") % {"field": unknown[0]}})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    measures: list[Measure] | None = None
    if "subject" in data or not partial:
        subject = str(data.get("subject") or "").strip()
        if not subject:
            errors["subject"] = _("Give the mailing a subject.")
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = _("The subject may have at most %(max)d characters.") % {"max": SUBJECT_MAX}
        elif any(char in subject for char in "\r\n\x00"):
            errors["subject"] = _("The subject must be a single line.")
        values["subject"] = subject
    if "body" in data or not partial:
        body = str(data.get("body") or "").replace("\r\n", "\n")
        if not body.strip():
            errors["body"] = _("Write the message.")
        elif len(body) > BODY_MAX:
            errors["body"] = _("The message may have at most %(max)d characters.") % {"max": BODY_MAX}
        elif "\x00" in body:
            errors["body"] = _("The message contains a character that cannot be stored (NUL).")
        values["body"] = body
    if "purpose" in data or not partial:
        purpose = data.get("purpose") or Purpose.NEWSLETTER
        if purpose not in Purpose.values:
            errors["purpose"] = _("Unknown purpose “%(purpose)s”; choose one of: %(choices)s.") % {
                "purpose": str(purpose)[:50],
                "choices": ", ".join(Purpose.values),
            }
        values["purpose"] = purpose
    if "segment" in data:
        try:
            values["segment"] = _resolve_segment(user, data["segment"])
        except ValidationError as error:
            errors["segment"] = " ".join(error.messages)
    if "measures" in data or not partial:
        try:
            measures = _resolve_measures(user, data.get("measures") or [])
        except ValidationError as error:
            errors["measures"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return values, measures


def _resolve_segment(user: Any, value: Any) -> Segment | None:
    if value in (None, ""):
        return None
    if isinstance(value, Segment):
        segment = value
    else:
        try:
            key = uuid.UUID(str(value))
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a segment id.") % {"value": str(value)[:50]}
            ) from None
        found = Segment.objects.visible_to(user).filter(uuid=key).first()
        if found is None:
            raise ValidationError(_("There is no segment “%(value)s”.") % {"value": key})
        segment = found
    try:
        _segment_people(segment, user)
    except ValidationError as error:
        raise ValidationError(error.message_dict["segment"]) from None
    return segment


def _resolve_measures(user: Any, values: Any) -> list[Measure]:
    """Measures as instances or ``"lab-slug/measure-slug"``, among those the user may see."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError(_("Give the measures as a list of “lab/measure” short names."))
    visible = Measure.objects.visible_to(user) if user is not None else Measure.objects.all()
    found: list[Measure] = []
    refs: list[tuple[str, str]] = []
    for value in values:
        if isinstance(value, Measure):
            found.append(value)
            continue
        lab, sep, slug = str(value).strip().partition("/")
        if not sep or not lab or not slug:
            raise ValidationError(
                _("“%(value)s” is not a measure; write “lab/measure”, e.g. %(example)s.")
                % {
                    "value": str(value)[:100],
                    "example": "digitale-koproduktion-im-handwerk/handwerksfruehstueck",
                }
            )
        refs.append((lab, slug))
    if refs:
        condition = Q()
        for lab, slug in refs:
            condition |= Q(lab__slug=lab, slug=slug)
        by_ref = {(m.lab.slug, m.slug): m for m in visible.filter(condition).select_related("lab")}
        missing = [f"{lab}/{slug}" for lab, slug in refs if (lab, slug) not in by_ref]
        if missing:
            raise ValidationError(_("Unknown measure(s): %(refs)s.") % {"refs": ", ".join(missing[:10])})
        found.extend(by_ref[ref] for ref in refs)
    unique: dict[int, Measure] = {}
    for measure in found:
        unique.setdefault(measure.pk, measure)
    return list(unique.values())


@transaction.atomic
def create_mailing(*, user: Any, data: Mapping[str, Any]) -> Mailing:
    """A new draft: subject, Markdown body, segment (optional until sending), purpose
    (default newsletter) and the measures it is about."""
    _require(user)
    values, measures = _clean(user, data, partial=False)
    mailing = Mailing.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None, **values
    )
    mailing.measures.set(measures or [])
    return mailing


@transaction.atomic
def update_mailing(*, user: Any, mailing: Mailing, data: Mapping[str, Any]) -> Mailing:
    """Change the fields given in ``data`` of a draft."""
    _require(user)
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    _require_draft(mailing, _("This mailing has been sent; it can no longer be changed."))
    values, measures = _clean(user, data, partial=True)
    for field, value in values.items():
        setattr(mailing, field, value)
    if values:
        mailing.save(update_fields=[*values, "updated_at"])
    if measures is not None:
        mailing.measures.set(measures)
    return mailing


@transaction.atomic
def delete_mailing(*, user: Any, mailing: Mailing) -> None:
    """Delete a draft (a sent mailing stays: it is the log of who received what)."""
    _require(user)
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    _require_draft(mailing, _("This mailing has been sent; it stays as the record of who received it."))
    mailing.delete()


# ---------------------------------------------------------------------------------------------
# Send


def _enqueue_delivery(mailing_uuid: str) -> None:
    from reallabor.actors.tasks import deliver_mailing

    deliver_mailing.enqueue(mailing_uuid=mailing_uuid)


def _freeze_recipients(mailing: Mailing, people: QuerySet[Person]) -> int:
    """Insert one queued recipient row per person with one INSERT … SELECT; returns the count."""
    select = (
        people.order_by()
        .annotate(recipient_person=F("pk"), recipient_email=F("email"))
        .values_list("recipient_person", "recipient_email")
    )
    sql, params = select.query.sql_with_params()
    connection = connections[people.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("mailing_id", "status", "error", "person_id", "email"))
    table = quote(MailingRecipient._meta.db_table)
    values = "%s, %s, %s, chosen.recipient_person, chosen.recipient_email"
    # Quoted names and the ORM's own SQL; every value is a parameter.
    statement = f"INSERT INTO {table} ({columns}) SELECT {values} FROM ({sql}) chosen"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, (mailing.pk, MailingRecipient.Status.QUEUED, "", *params))
        return int(cursor.rowcount)


def no_recipients_message(in_segment: int, purpose: str) -> str:
    """Why a mailing cannot go out: nobody in the segment, or nobody who consented."""
    if not in_segment:
        return _("Nobody is in this segment, so nothing can be sent.")
    return " ".join(
        (
            _("Nobody in this segment has consented to “%(purpose)s”, so nothing can be sent.")
            % {"purpose": Purpose(purpose).label},
            ngettext(
                "%(count)d person is in the segment, without a valid consent for this purpose and a "
                "working e-mail address.",
                "%(count)d people are in the segment; none of them has a valid consent for this "
                "purpose and a working e-mail address.",
                in_segment,
            )
            % {"count": in_segment},
        )
    )


@transaction.atomic
def send_mailing(*, user: Any, mailing: Mailing) -> int:
    """Freeze the recipient list and queue the mailing for the worker; returns the number of
    recipients. Refused when the mailing was sent already or nobody in the segment can get it."""
    _require(user)
    mailing = Mailing.objects.select_for_update(of=("self",)).select_related("segment").get(pk=mailing.pk)
    _require_draft(mailing, _("This mailing has already been sent; it cannot be sent twice."))
    if mailing.segment is None:
        raise ValidationError({"segment": _("Choose the segment the mailing goes to before sending it.")})
    if not (mailing.subject.strip() and mailing.body.strip()):
        raise ValidationError({"body": _("Write the subject and the message before sending.")})
    people = _segment_people(mailing.segment, user)
    claimed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
        status=Mailing.Status.QUEUED, queued_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(
            _("This mailing has already been sent; it cannot be sent twice."), code="conflict"
        )
    count = _freeze_recipients(mailing, reachable_people(people, mailing.purpose))
    if count == 0:
        raise ValidationError({"segment": no_recipients_message(people.count(), mailing.purpose)})
    mailing_uuid = str(mailing.uuid)
    transaction.on_commit(lambda: _enqueue_delivery(mailing_uuid))
    return count


@dataclass(frozen=True)
class DeliveryState:
    """Where a mailing's delivery stands, for the office's resume decision.

    ``in_flight``: taken up by a worker less than ``UNCONFIRMED_AFTER`` ago (being sent now);
    ``unconfirmed``: taken up longer ago and never confirmed – the worker died or the connection
    broke mid-message, so they may or may not have received it."""

    waiting: int
    in_flight: int
    unconfirmed: int


# A worker hands a batch of 100 messages to the SMTP server in seconds (a slow server: minutes);
# a recipient still "sending" after this long belongs to a run that is over.
UNCONFIRMED_AFTER = dt.timedelta(minutes=30)


def _unconfirmed(mailing: Mailing, now: dt.datetime) -> QuerySet[MailingRecipient]:
    return MailingRecipient.objects.filter(
        mailing=mailing, status=MailingRecipient.Status.SENDING, claimed_at__lt=now - UNCONFIRMED_AFTER
    )


def delivery_state(mailing: Mailing) -> DeliveryState:
    """Waiting, being sent and unconfirmed recipients (one query)."""
    limit = timezone.now() - UNCONFIRMED_AFTER
    sending = Q(status=MailingRecipient.Status.SENDING)
    counts = MailingRecipient.objects.filter(mailing=mailing).aggregate(
        waiting=Count("pk", filter=Q(status=MailingRecipient.Status.QUEUED)),
        in_flight=Count("pk", filter=sending & (Q(claimed_at__gte=limit) | Q(claimed_at__isnull=True))),
        unconfirmed=Count("pk", filter=sending & Q(claimed_at__lt=limit)),
    )
    return DeliveryState(**{key: int(value or 0) for key, value in counts.items()})


@transaction.atomic
def resume_mailing(*, user: Any, mailing: Mailing, resend_unconfirmed: bool = False) -> int:
    """Hand a mailing to the worker again (after a worker or the SMTP server stopped); returns how
    many recipients are now waiting.

    Recipients whose delivery was never confirmed (``DeliveryState.unconfirmed``) may have
    received the message: they are left as they are – nobody gets the message twice – unless
    ``resend_unconfirmed`` says the office wants them to get it (perhaps a second time); then
    they are queued again, also for a mailing already marked sent. Recipients being sent right
    now are never touched."""
    _require(user)
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    now = timezone.now()
    requeued = 0
    if resend_unconfirmed:
        requeued = _unconfirmed(mailing, now).update(
            status=MailingRecipient.Status.QUEUED, claimed_at=None, error=""
        )
    if mailing.status == Mailing.Status.SENT and requeued:
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    elif mailing.status not in (Mailing.Status.QUEUED, Mailing.Status.SENDING):
        if resend_unconfirmed and mailing.status == Mailing.Status.SENT:
            raise ValidationError(
                _("No recipient of this mailing is unconfirmed; there is nothing to send again."),
                code="conflict",
            )
        raise ValidationError(_("Only a mailing that is still being sent can be resumed."), code="conflict")
    waiting = MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.QUEUED).count()
    mailing_uuid = str(mailing.uuid)
    transaction.on_commit(lambda: _enqueue_delivery(mailing_uuid))
    return waiting


@transaction.atomic
def send_test_mailing(*, user: Any, mailing: Mailing, language: str) -> str:
    """Send the mailing, marked “[Test]”, to the acting user's own address (through the worker,
    addressed like the sample recipient, with an unsubscribe link that changes nothing); it is not
    logged as a recipient. Returns the address."""
    _require(user)
    address = str(getattr(user, "email", "") or "")
    if not address:
        raise ValidationError(_("Your account has no e-mail address to send the test to."))
    if not (mailing.subject.strip() and mailing.body.strip()):
        raise ValidationError({"body": _("Write the subject and the message before sending a test.")})
    if mailing.segment is not None:
        _segment_people(mailing.segment, user)  # the worker addresses it like the sample recipient
    mailing_uuid = str(mailing.uuid)

    def enqueue() -> None:
        from reallabor.actors.tasks import send_test_mail

        send_test_mail.enqueue(mailing_uuid=mailing_uuid, to=address, language=language)

    transaction.on_commit(enqueue)
    return address


# ---------------------------------------------------------------------------------------------
# Unsubscribe


UNSUBSCRIBE_SALT = "reallabor.actors.unsubscribe."
TEST_PERSON = "test"


def unsubscribe_token(
    *, person_uuid: uuid.UUID | str | None, purpose: str, mailing_uuid: uuid.UUID | str
) -> str:
    """The signed token of an unsubscribe link (``person_uuid`` None: a test mail's link)."""
    person = uuid.UUID(str(person_uuid)).hex if person_uuid else TEST_PERSON
    payload = [person, purpose, uuid.UUID(str(mailing_uuid)).hex]
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT + purpose, compress=False)


@dataclass(frozen=True)
class UnsubscribeRequest:
    person_uuid: uuid.UUID | None  # None: the link of a test mail
    purpose: str
    mailing_uuid: uuid.UUID


def read_unsubscribe_token(token: str) -> UnsubscribeRequest | None:
    """What a token asks for, or None when it is not one of ours or was changed."""
    if not token or len(token) > 500:
        return None
    for purpose in Purpose.values:
        try:
            payload = signing.loads(token, salt=UNSUBSCRIBE_SALT + purpose)
        except signing.BadSignature:
            continue
        try:
            person, signed_purpose, mailing = payload
            if signed_purpose != purpose:
                return None
            return UnsubscribeRequest(
                person_uuid=None if person == TEST_PERSON else uuid.UUID(person),
                purpose=purpose,
                mailing_uuid=uuid.UUID(mailing),
            )
        except (TypeError, ValueError, AttributeError):
            return None
    return None


class UnsubscribeOutcome:
    WITHDRAWN = "withdrawn"
    ALREADY = "already"  # no open consent for the purpose (any more)
    GONE = "gone"  # the person was erased
    TEST = "test"  # a test mail's link: changes nothing


def unsubscribe_state(request: UnsubscribeRequest) -> tuple[str, Person | None]:
    """Whether following the link would still change something: ``""`` if it would."""
    if request.person_uuid is None:
        return UnsubscribeOutcome.TEST, None
    person = Person.objects.filter(uuid=request.person_uuid, anonymised_at__isnull=True).first()
    if person is None:
        return UnsubscribeOutcome.GONE, None
    if not person.consents.filter(purpose=request.purpose, withdrawn_at__isnull=True).exists():
        return UnsubscribeOutcome.ALREADY, person
    return "", person


@transaction.atomic
def unsubscribe(*, request: UnsubscribeRequest) -> str:
    """Withdraw the person's consent for the purpose (the person acting through the signed link;
    no signed-in user). Returns an ``UnsubscribeOutcome``."""
    state, person = unsubscribe_state(request)
    if state:
        return state
    assert person is not None
    consent.withdraw_consent(
        user=None,
        person=person,
        purpose=request.purpose,
        note=f"unsubscribe link, mailing {request.mailing_uuid}",
    )
    return UnsubscribeOutcome.WITHDRAWN
