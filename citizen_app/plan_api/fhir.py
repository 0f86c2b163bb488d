"""Names of the extensions, code systems and questionnaires in docs/plan-api.md. What the portal writes is
built by the resource families (goals.py, observations.py, communications.py, questionnaire_responses.py)."""

from __future__ import annotations

NS = "https://borgerensplan.dk/fhir/"
SD = NS + "StructureDefinition/"
CS = NS + "CodeSystem/"

EXT_GOAL_WORDING = SD + "goal-wording"
EXT_NEXT_FOLLOW_UP = SD + "next-follow-up"
EXT_SUBSTITUTE = SD + "substitute"

CS_ACTIVITY_KIND = CS + "activity-kind"
CS_CARE_ROLE = CS + "care-role"
CS_OBSERVATION_KIND = CS + "observation-kind"
CS_PROGRESS_SIGN = CS + "progress-sign"
CS_COMMUNICATION_KIND = CS + "communication-kind"
CS_CONVERSATION_QUESTION = CS + "goal-conversation-question"
EXT_GOAL_AGREEMENT = SD + "goal-agreement"
EXT_PAYLOAD_KIND = SD + "payload-kind"
EXT_CONVERSATION_QUESTION = SD + "conversation-question"
EXT_SEEN_BY_STAFF = SD + "seen-by-staff"
CS_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# Cases (Task): the step in businessStatus, from this code system; Task.status follows the step.
CS_CASE_STEP = CS + "case-step"
CASE_STEPS = ("received", "assessing", "awaiting-information", "decided")
TASK_STATUS_BY_STEP = {
    "received": "received",
    "assessing": "in-progress",
    "awaiting-information": "on-hold",
    "decided": "completed",
}
# On a Task: the decision date first promised (restriction.period.end holds the date in force).
EXT_ORIGINAL_DEADLINE = SD + "original-deadline"
# On a Task's note: what the note explains ("deadline" or "step").
EXT_CASE_CHANGE = SD + "case-change"
# On an Appointment: "in-person", "phone" or "video".
EXT_CONTACT_MODE = SD + "contact-mode"
CONTACT_MODES = ("in-person", "phone", "video")
# On a QuestionnaireResponse: the Appointment or Communication it is about.
EXT_ABOUT = SD + "about"
Q_MEETING_PREPARATION = NS + "Questionnaire/meeting-preparation"
Q_CONTACT_FEEDBACK = NS + "Questionnaire/contact-feedback"
CS_CONTACT_SATISFACTION = CS + "contact-satisfaction"
# From worst to best; the order is the satisfaction chart's vertical axis.
SATISFACTION = ("very-bad", "bad", "neutral", "good", "very-good")

# The progress scale, from furthest to closest; the order is the chart's vertical axis.
PROGRESS_SCALE = ("further-away", "same", "bit-closer", "much-closer", "reached", "keeping-up")
