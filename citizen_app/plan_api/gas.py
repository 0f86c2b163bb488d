"""Goal Attainment Scaling (GAS) as HL7's Person-Centered Outcomes guide carries it (docs/plan-api.md, "Goal
Attainment Scaling"): five levels on the Goal in the citizen's own words, the caseworker's wording beside them,
and ratings in three voices as Observations with `focus` = the Goal.

The only module that knows the GAS JSON: builders for what the portal writes, and the mapping of a bundle to
the typed objects below. Services and views see levels by their portal codes (LEVELS) and never a LOINC code.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import Person

Resource = dict[str, Any]

PCO = "http://hl7.org/fhir/us/pco/"
EXT_GAS = PCO + "StructureDefinition/pco-goal-attainment-scaling"
PROFILE_GAS_GOAL = PCO + "StructureDefinition/pco-gas-goal-profile"
PROFILE_GAS_SCORE = PCO + "StructureDefinition/pco-gas-score-observation"
VS_GAS_ANSWERS = "http://loinc.org/vs/LL6900-6"
LOINC = "http://loinc.org"
CS_OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# The portal's own: who wrote the citizen-voice levels, and the caseworker's wording beside a level.
EXT_LEVELS_AUTHOR = fhir.SD + "gas-levels-author"
EXT_PROFESSIONAL_LEVEL = fhir.SD + "gas-level-professional"

# From "much less than expected" (-2) to "much more than expected" (+2): the order is the scale.
LEVELS = ("much-less", "less", "expected", "better", "much-better")
# The order the citizen is asked in: where I am now, what reached looks like, then the others.
ASKED = ("less", "expected", "better", "much-better", "much-less")
LOINC_ANSWER = {
    "much-less": ("LA34484-8", "Much less than expected"),
    "less": ("LA34483-0", "Less than expected"),
    "expected": ("LA34481-4", "Expected outcome"),
    "better": ("LA34480-6", "Better than expected"),
    "much-better": ("LA34479-8", "Much better than expected"),
}
LEVEL_BY_LOINC = {code: level for level, (code, _display) in LOINC_ANSWER.items()}

REPORTED = ("107332-9", "Goal attainment scale - Reported")
# Who rated, as the guide codes it (and `performer` says the same).
VOICES = ("citizen", "relative", "caseworker")
SCORE_CODE = {
    "citizen": ("107334-5", "Patient follow-up goal attainment scaling score"),
    "relative": ("107331-1", "Caregiver follow-up goal attainment scaling score"),
    "caseworker": ("107333-7", "Practitioner follow-up goal attainment scaling score"),
}
VOICE_BY_CODE = {code: voice for voice, (code, _display) in SCORE_CODE.items()}
GAS_CODES = frozenset({REPORTED[0], *VOICE_BY_CODE})
# Two latest ratings this many levels apart put the goal on the next meeting's agenda.
APART = 2


@dataclass(frozen=True)
class LevelText:
    level: str  # LEVELS
    text: str
    author: Person | None
    written: datetime | None


@dataclass(frozen=True)
class Rating:
    id: str
    level: str  # LEVELS
    voice: str  # VOICES
    when: datetime
    note: str | None
    rated_by: Person | None

    @property
    def step(self) -> int:
        """-2 … +2, for comparing and drawing; never shown alone."""
        return LEVELS.index(self.level) - 2


@dataclass(frozen=True)
class Apart:
    """Two voices whose latest ratings are APART levels or more from each other."""

    low: Rating
    high: Rating

    @property
    def levels(self) -> int:
        return self.high.step - self.low.step


@dataclass(frozen=True)
class GoalScale:
    goal_id: str
    own: tuple[LevelText, ...] = ()  # the citizen's voice, in LEVELS order
    professional: tuple[LevelText, ...] = ()  # the caseworker's wording, in LEVELS order
    ratings: tuple[Rating, ...] = ()  # oldest first

    @property
    def has_levels(self) -> bool:
        return bool(self.own)

    def own_text(self, level: str) -> LevelText | None:
        return next((t for t in self.own if t.level == level), None)

    def professional_text(self, level: str) -> LevelText | None:
        return next((t for t in self.professional if t.level == level), None)

    def latest(self, voice: str) -> Rating | None:
        return next((r for r in reversed(self.ratings) if r.voice == voice), None)

    @property
    def latest_by_voice(self) -> tuple[Rating, ...]:
        return tuple(r for v in VOICES if (r := self.latest(v)) is not None)

    @property
    def apart(self) -> Apart | None:
        latest = self.latest_by_voice
        if len(latest) < 2:
            return None
        low = min(latest, key=lambda r: r.step)
        high = max(latest, key=lambda r: r.step)
        return Apart(low, high) if high.step - low.step >= APART else None


# -- builders ---------------------------------------------------------------------------------------


def _coding(level: str) -> Resource:
    code, display = LOINC_ANSWER[level]
    return {"system": LOINC, "code": code, "display": display}


def _ours(extension: Any) -> bool:
    return isinstance(extension, dict) and extension.get("url") in {
        EXT_GAS,
        EXT_LEVELS_AUTHOR,
    }


def _with_target(goal: Resource) -> None:
    targets = [t for t in goal.get("target", []) or [] if isinstance(t, dict)]
    if not any(_code_of(t.get("measure"), LOINC) == REPORTED[0] for t in targets):
        code, display = REPORTED
        targets.append(
            {"measure": {"coding": [{"system": LOINC, "code": code, "display": display}]}}
        )
    goal["target"] = targets


def goal_with_levels(
    current: Resource, levels: dict[str, str], author_ref: str, written: datetime
) -> Resource:
    """The Goal as it was read, with the citizen's levels (all five at once) in the guide's extension and who
    wrote them beside; the caseworker's wording and everything else stay as they are."""
    goal = copy.deepcopy(current)
    kept = [e for e in goal.get("extension", []) or [] if not _ours(e)]
    written_levels = [
        {
            "url": EXT_GAS,
            "extension": [
                {"url": "level", "valueCoding": _coding(level)},
                {"url": "text", "valueString": levels[level]},
            ],
        }
        for level in reversed(LEVELS)  # as in the guide's example: +2 first
        if levels.get(level, "").strip()
    ]
    author = {
        "url": EXT_LEVELS_AUTHOR,
        "extension": [
            {"url": "author", "valueReference": {"reference": author_ref}},
            {"url": "date", "valueDateTime": written.isoformat()},
        ],
    }
    goal["extension"] = [*kept, *written_levels, author]
    _with_target(goal)
    return goal


def goal_with_professional(
    current: Resource, wording: dict[str, str], author_ref: str, written: datetime
) -> Resource:
    """The Goal with the caseworker's wording beside each level given (an empty text takes it away)."""
    goal = copy.deepcopy(current)
    extensions = list(goal.get("extension", []) or [])
    kept = [
        e
        for e in extensions
        if not (
            isinstance(e, dict)
            and e.get("url") == EXT_PROFESSIONAL_LEVEL
            and _level_of(e) in wording
        )
    ]
    added = [
        {
            "url": EXT_PROFESSIONAL_LEVEL,
            "extension": [
                {"url": "level", "valueCoding": _coding(level)},
                {"url": "text", "valueString": text},
                {"url": "author", "valueReference": {"reference": author_ref}},
                {"url": "date", "valueDateTime": written.isoformat()},
            ],
        }
        for level, text in wording.items()
        if level in LOINC_ANSWER and text.strip()
    ]
    goal["extension"] = [*kept, *added]
    _with_target(goal)
    return goal


def rating(
    *,
    patient_ref: str,
    goal_ref: str,
    voice: str,
    level: str,
    note: str | None,
    performer_ref: str,
    when: datetime,
) -> Resource:
    """One voice's rating of where the goal stands now (the guide's GAS score Observation)."""
    if voice not in SCORE_CODE:
        raise ValueError(f"not a voice: {voice!r}")
    if level not in LOINC_ANSWER:
        raise ValueError(f"not a GAS level: {level!r}")
    code, display = SCORE_CODE[voice]
    resource: Resource = {
        "resourceType": "Observation",
        "meta": {"profile": [PROFILE_GAS_SCORE]},
        "status": "final",
        "category": [{"coding": [{"system": CS_OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient_ref},
        "focus": [{"reference": goal_ref}],
        "performer": [{"reference": performer_ref}],
        "effectiveDateTime": when.isoformat(),
        "valueCodeableConcept": {"coding": [_coding(level)]},
    }
    if note:
        resource["note"] = [{"text": note}]
    return resource


def own_levels(goal: Resource) -> dict[str, str]:
    """The citizen's own level texts in a Goal as it was written (level code -> text): what an update that
    the plan system refused said, to give back to the person."""
    found: dict[str, str] = {}
    for extension in goal.get("extension", []) or []:
        if isinstance(extension, dict) and extension.get("url") == EXT_GAS:
            level, text = _level_of(extension), _part(extension, "text").get("valueString")
            if level is not None and isinstance(text, str):
                found[level] = text
    return found


def goal_in_bundle(bundle: Resource, goal_id: str) -> Resource | None:
    """The Goal as it stands in a `$everything` bundle (the version the person saw)."""
    for entry in bundle.get("entry", []) or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == "Goal" and resource.get("id") == goal_id:
            return resource
    return None


def version_of(resource: Resource) -> str | None:
    return (resource.get("meta") or {}).get("versionId")


def subject_of(resource: Resource) -> str | None:
    return (resource.get("subject") or {}).get("reference")


# -- mapping ------------------------------------------------------------------------------------------


def _code_of(concept: Any, system: str) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding", []) or []:
        if isinstance(coding, dict) and coding.get("system") == system:
            return coding.get("code")
    return None


def _part(extension: Resource, url: str) -> Resource:
    return next(
        (
            e
            for e in extension.get("extension", []) or []
            if isinstance(e, dict) and e.get("url") == url
        ),
        {},
    )


def _level_of(extension: Resource) -> str | None:
    coding = _part(extension, "level").get("valueCoding") or {}
    if coding.get("system") != LOINC:
        return None
    return LEVEL_BY_LOINC.get(coding.get("code"))


def _ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, dict) else None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _level_texts(goal: Resource, index: Any) -> tuple[tuple[LevelText, ...], tuple[LevelText, ...]]:
    extensions = [e for e in goal.get("extension", []) or [] if isinstance(e, dict)]
    author_ext = next((e for e in extensions if e.get("url") == EXT_LEVELS_AUTHOR), {})
    author = index.person(_ref(_part(author_ext, "author").get("valueReference")))
    written = _when(_part(author_ext, "date").get("valueDateTime"))
    own: dict[str, LevelText] = {}
    professional: dict[str, LevelText] = {}
    for extension in extensions:
        level = (
            _level_of(extension)
            if extension.get("url") in {EXT_GAS, EXT_PROFESSIONAL_LEVEL}
            else None
        )
        text = _part(extension, "text").get("valueString")
        if level is None or not isinstance(text, str):
            continue
        if extension.get("url") == EXT_GAS:
            own[level] = LevelText(level, text, author, written)
        else:
            professional[level] = LevelText(
                level,
                text,
                index.person(_ref(_part(extension, "author").get("valueReference"))),
                _when(_part(extension, "date").get("valueDateTime")),
            )
    return (
        tuple(own[level] for level in LEVELS if level in own),
        tuple(professional[level] for level in LEVELS if level in professional),
    )


def _ratings(index: Any) -> dict[str, list[Rating]]:
    found: dict[str, list[Rating]] = {}
    for obs in index.by_type.get("Observation", []):
        code = _code_of(obs.get("code"), LOINC)
        if code not in GAS_CODES or obs.get("status") not in {"final", "amended", "corrected"}:
            continue
        level = LEVEL_BY_LOINC.get(_code_of(obs.get("valueCodeableConcept"), LOINC) or "")
        when = _when(obs.get("effectiveDateTime"))
        focus = next((_ref(f) for f in obs.get("focus", []) or [] if _ref(f)), None)
        performer = index.person(next((_ref(p) for p in obs.get("performer", []) or []), None))
        voice = VOICE_BY_CODE.get(code) or (performer.role if performer else None)
        if level is None or when is None or not focus or voice not in VOICES:
            continue
        note = next(
            (
                n.get("text")
                for n in obs.get("note", []) or []
                if isinstance(n, dict) and n.get("text")
            ),
            None,
        )
        found.setdefault(focus, []).append(Rating(obs["id"], level, voice, when, note, performer))
    for ratings in found.values():
        ratings.sort(key=lambda r: (r.when, r.id))
    return found


def scales(index: Any) -> dict[str, GoalScale]:
    """Per goal id, its levels and ratings; only goals that have either (mapping.plan_from_bundle)."""
    ratings = _ratings(index)
    result: dict[str, GoalScale] = {}
    for goal in index.by_type.get("Goal", []):
        own, professional = _level_texts(goal, index)
        rated = ratings.get(f"Goal/{goal['id']}", [])
        if own or professional or rated:
            result[goal["id"]] = GoalScale(goal["id"], own, professional, tuple(rated))
    return result


# -- typed operations for the caseworker's direct writes (services call these) ---------------------------


def set_professional_wording(
    client: PlanClient,
    goal_id: str,
    version: str,
    wording: dict[str, str],
    author_ref: str,
    when: datetime,
) -> Stored:
    """The caseworker's wording beside each level, on the version they saw (PlanAPIConflict if it changed)."""
    seen = client.vread("Goal", goal_id, version)
    return client.update(goal_with_professional(seen, wording, author_ref, when), f'W/"{version}"')


def rate(
    client: PlanClient,
    *,
    patient_ref: str,
    goal_id: str,
    voice: str,
    level: str,
    note: str | None,
    performer_ref: str,
    when: datetime,
    rating_id: uuid.UUID,
) -> Stored:
    """A rating created once however often it is sent (the id is its idempotency key)."""
    resource = rating(
        patient_ref=patient_ref,
        goal_ref=f"Goal/{goal_id}",
        voice=voice,
        level=level,
        note=note,
        performer_ref=performer_ref,
        when=when,
    )
    return client.create(resource, rating_id)
