"""Small typed objects the views render; built from FHIR by the resource families in plan_api/ (goals.py,
observations.py, …), never by hand in a view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # evaluations.py (issue #18) owns its dataclasses
    from .evaluations import GoalEvaluations
if TYPE_CHECKING:  # gas.py (issue #18) owns its dataclasses
    from .gas import GoalScale


@dataclass(frozen=True)
class Person:
    reference: str
    name: str
    # "citizen", "relative" or "caseworker": decides how "who wrote this" is said.
    role: str


@dataclass(frozen=True)
class Wording:
    kind: str  # "citizen" or "professional"
    text: str
    author: Person | None
    written: datetime | None


@dataclass(frozen=True)
class ProgressSign:
    id: str
    value: str
    when: date
    note: str | None
    noted_by: Person | None
    seen_at: datetime | None = None
    staff_comment: str | None = None
    version: str | None = (
        None  # the Observation's versionId: "mark as seen" updates this version only
    )


@dataclass(frozen=True)
class GoalFeedback:
    """The citizen's own words for a goal in the plan and whether they agree, as sent to the caseworker."""

    id: str
    wording: str | None
    agreement: str | None  # "agree", "partly", "disagree"
    comment: str | None
    sent: datetime | None
    sender: Person | None
    received: datetime | None = None
    version: str | None = None


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    subject: str | None
    text: str
    sender: Person | None
    sent: datetime | None
    received: datetime | None
    from_staff: bool


@dataclass(frozen=True)
class Conversation:
    id: str
    subject: str | None
    messages: tuple[Message, ...]
    kind: str = "message"  # or "complaint"

    @property
    def answered(self) -> bool:
        return self.latest.from_staff

    @property
    def latest(self) -> Message:
        return self.messages[-1]

    def state_of(self, message: Message) -> str:
        """For the citizen's own message: "answered", "read" or "sent" (outbox states come on top)."""
        later = [
            m for m in self.messages if m.from_staff and (m.sent or _MIN) >= (message.sent or _MIN)
        ]
        if later:
            return "answered"
        return "read" if message.received else "sent"


_MIN = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Goal:
    id: str
    version: str | None
    lifecycle_status: str
    achievement: str | None
    citizen_wording: Wording | None
    professional_wording: Wording | None
    expressed_by: Person | None
    status_reason: str | None
    signs: tuple[ProgressSign, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (question code, answer) from the goal conversation
    feedback: tuple[GoalFeedback, ...] = ()

    @property
    def latest_feedback(self) -> GoalFeedback | None:
        return self.feedback[-1] if self.feedback else None

    @property
    def latest_sign(self) -> ProgressSign | None:
        return self.signs[-1] if self.signs else None

    @property
    def in_plan(self) -> bool:
        return self.lifecycle_status in {"accepted", "active", "completed"}


@dataclass(frozen=True)
class Activity:
    kind: str  # "agreement" or "service"
    description: str
    performer: str | None
    contact: str | None
    starts: date | None
    due: date | None
    status: str | None


@dataclass(frozen=True)
class Caseworker:
    reference: str  # PractitionerRole/<id>: where messages go
    name: str
    initials: str
    unit: str | None
    phone: str | None
    absent_until: date | None = None
    substitute: Caseworker | None = None

    @property
    def absent(self) -> bool:
        return self.absent_until is not None

    @property
    def covering(self) -> Caseworker:
        """Who answers now: the substitute during an absence, else the fixed caseworker."""
        return self.substitute if self.absent and self.substitute else self


_NEXT_STEP = {"received": "assessing", "assessing": "decided", "awaiting-information": "assessing"}


@dataclass(frozen=True)
class CaseChange:
    """A caseworker's reason for moving a case's deadline or step, as the citizen sees it."""

    kind: str  # "deadline" or "step"
    text: str
    when: datetime | None
    by: Person | None


@dataclass(frozen=True)
class Case:
    """An application or case (FHIR Task): what it is about, where it stands, by when a decision is due."""

    id: str
    version: str | None
    about: str
    received: date | None
    step: str  # fhir.CASE_STEPS
    due: date | None
    original_due: date | None
    status: str
    changes: tuple[CaseChange, ...] = ()

    @property
    def next_step(self) -> str | None:
        return _NEXT_STEP.get(self.step)

    @property
    def open(self) -> bool:
        return self.status not in {
            "completed",
            "cancelled",
            "rejected",
            "failed",
            "entered-in-error",
        }

    @property
    def extended(self) -> bool:
        return bool(self.due and self.original_due and self.due > self.original_due)

    def overdue(self, today: date) -> bool:
        return self.open and self.due is not None and self.due < today

    @property
    def deadline_reason(self) -> CaseChange | None:
        return next((c for c in reversed(self.changes) if c.kind == "deadline"), None)


@dataclass(frozen=True)
class GoalAnswer:
    goal_id: str
    value: str | None
    note: str | None


@dataclass(frozen=True)
class Preparation:
    """What the citizen (or someone for them) wants to bring up at a meeting (a QuestionnaireResponse)."""

    id: str
    authored: datetime | None
    author: Person | None
    goals: tuple[GoalAnswer, ...]
    topics: str | None
    bring: str | None
    seen_at: datetime | None = None
    version: str | None = None


@dataclass(frozen=True)
class Meeting:
    """A follow-up meeting (FHIR Appointment)."""

    id: str
    status: str
    start: datetime | None
    end: datetime | None
    mode: str | None  # fhir.CONTACT_MODES
    place: str | None
    description: str | None
    participants: tuple[Person, ...]
    preparations: tuple[Preparation, ...] = ()

    def upcoming(self, now: datetime) -> bool:
        return self.status in {"booked", "pending", "proposed"} and (
            self.start is None or self.start >= now
        )

    @property
    def preparation(self) -> Preparation | None:
        return self.preparations[-1] if self.preparations else None


@dataclass(frozen=True)
class ContactFeedback:
    id: str
    score: str  # fhir.SATISFACTION
    comment: str | None
    about: str | None  # Communication/… or Appointment/…
    authored: datetime | None
    author: Person | None


@dataclass(frozen=True)
class Plan:
    patient_ref: str
    citizen_name: str
    goals: tuple[Goal, ...] = ()
    agreements: tuple[Activity, ...] = ()
    services: tuple[Activity, ...] = ()
    next_follow_up: date | None = None
    caseworker: Caseworker | None = None
    people: dict[str, Person] = field(default_factory=dict)
    conversations: tuple[Conversation, ...] = ()
    cases: tuple[Case, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    contact_feedback: tuple[ContactFeedback, ...] = ()
    # Since when the fixed caseworker has been so, and a hand-over to come (who, from which date).
    caseworker_since: date | None = None
    next_caseworker: Caseworker | None = None
    next_caseworker_from: date | None = None
    # Per goal id: its evaluations and next evaluation date (plan_api/evaluations.py).
    evaluations: dict[str, GoalEvaluations] = field(default_factory=dict)
    # Goal Attainment Scaling per goal id: levels and ratings (plan_api/gas.py).
    scales: dict[str, GoalScale] = field(default_factory=dict)

    def scale(self, goal_id: str) -> GoalScale | None:
        return self.scales.get(goal_id)

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def meeting(self, meeting_id: str) -> Meeting | None:
        return next((m for m in self.meetings if m.id == meeting_id), None)

    def next_meeting(self, now: datetime) -> Meeting | None:
        coming = [m for m in self.meetings if m.upcoming(now)]
        return min(coming, key=lambda m: m.start or now) if coming else None

    def feedback_about(self, reference: str) -> ContactFeedback | None:
        return next((f for f in self.contact_feedback if f.about == reference), None)

    def conversation(self, conversation_id: str) -> Conversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)

    @property
    def staff_message_ids(self) -> list[str]:
        return [m.id for c in self.conversations for m in c.messages if m.from_staff]

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)


@dataclass(frozen=True)
class SeenState:
    """One version of something a caseworker marks as seen, in the words the conflict page shows."""

    version: str
    seen_at: datetime | None
    by_ref: str | None
    comment: str | None


@dataclass(frozen=True)
class StaffConflict:
    """A 412 on a staff update: the version the person saw, the version now, and their unsaved words.
    `base_seen`/`current_seen` are None when the plan API could not be asked for them."""

    kind: str  # "sign", "preparation" or "feedback"
    resource_id: str
    base_seen: SeenState | None
    current_seen: SeenState | None
    typed: str | None

    @property
    def version(self) -> str:
        return self.current_seen.version if self.current_seen else ""


@dataclass(frozen=True)
class GoalVersion:
    """One version of a goal, as the caseworker's conflict page shows it."""

    version: str
    lifecycle_status: str
    description: str


@dataclass(frozen=True)
class GoalConflict:
    base: GoalVersion
    current: GoalVersion
    typed: str | None

    @property
    def version(self) -> str:
        return self.current.version


@dataclass(frozen=True)
class CaseVersion:
    """The step and decision date of one version of a case (for the 412 page: "when you opened it")."""

    version: str
    step: str | None
    due: date | None


@dataclass(frozen=True)
class Absence:
    """A caseworker's absence and substitute, as on one version of their PractitionerRole."""

    version: str
    start: date | None
    end: date | None
    substitute_ref: str | None


@dataclass(frozen=True)
class AbsenceConflict:
    base: Absence
    now: Absence

    @property
    def version(self) -> str:
        return self.now.version


@dataclass(frozen=True)
class Colleague:
    """A PractitionerRole as the caseload sees it: whose substitute they named, when they are away."""

    reference: str
    unit: str | None
    substitute_ref: str | None
    absences: tuple[tuple[datetime | None, datetime | None], ...] = ()

    def absent(self, now: datetime) -> bool:
        return any(
            start is not None and start <= now and (end is None or now < end)
            for start, end in self.absences
        )


@dataclass(frozen=True)
class Change:
    """One entry of the plan API's change feed: which resource changed and the citizens it belongs to."""

    reference: str
    citizens: frozenset[str]
    unit: str | None = None  # for a PractitionerRole: its unit's name
    version: str | None = None  # the version written (an entry read twice is the same change)


@dataclass(frozen=True)
class StaffAnswer:
    """A Communication as the notifier sees it: for whom, from staff or not, when sent."""

    citizen_ref: str
    from_staff: bool
    sent: datetime | None


@dataclass(frozen=True)
class Waiting:
    """A message still in the outbox, for showing it as waiting: subject, text, conversation id."""

    subject: str | None
    text: str
    conversation_id: str | None
