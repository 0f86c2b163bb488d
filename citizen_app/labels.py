"""Words for codes: every code the citizen can see has a translated label here, and only here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The progress scale with a symbol each; the symbol is decoration, the words carry the meaning.
PROGRESS_SIGNS = {
    "further-away": (_l("Further away"), "↓"),
    "same": (_l("The same"), "→"),
    "bit-closer": (_l("A bit closer"), "↗"),
    "much-closer": (_l("Much closer"), "↑"),
    "reached": (_l("I reached it"), "★"),
    "keeping-up": (_l("I am keeping it up"), "✓"),
}

# Goal Attainment Scaling (plan_api/gas.py LEVELS), from -2 to +2, with a symbol each (decoration only).
GAS_LEVELS = {
    "much-less": (_l("Much less than expected"), "⇊"),
    "less": (_l("Less than expected"), "↓"),
    "expected": (_l("As expected: the goal is reached"), "●"),
    "better": (_l("Better than expected"), "↑"),
    "much-better": (_l("Much better than expected"), "⇈"),
}
# The short name of each level in the citizen's levels conversation.
GAS_LEVEL_SHORT = {
    "less": _l("Where you are now"),
    "expected": _l("The goal reached"),
    "better": _l("A bit better"),
    "much-better": _l("Much better"),
    "much-less": _l("Worse than now"),
}
# Who rated; the shape marks the voice in the chart and the table.
GAS_VOICES = {
    "citizen": (_l("The citizen"), "●"),
    "relative": (_l("A relative"), "■"),
    "caseworker": (_l("The caseworker"), "▲"),
}

GOAL_STATUS = {
    "proposed": _l("Sent to your caseworker"),
    "accepted": _l("In your plan"),
    "active": _l("In your plan – you are working on it"),
    "completed": _l("Reached"),
    "rejected": _l("Not taken into the plan"),
    "cancelled": _l("Stopped"),
    "on-hold": _l("On hold"),
}

ACHIEVEMENT = {
    "in-progress": _l("On the way"),
    "improving": _l("Getting closer"),
    "worsening": _l("Moving away"),
    "no-change": _l("No change yet"),
    "achieved": _l("Reached"),
    "sustaining": _l("Reached – you are keeping it up"),
    "not-achieved": _l("Not reached"),
}

ACTIVITY_STATUS = {
    "not-started": _l("Not started"),
    "scheduled": _l("Planned"),
    "in-progress": _l("Going on"),
    "on-hold": _l("On hold"),
    "completed": _l("Done"),
    "cancelled": _l("Cancelled"),
    "stopped": _l("Stopped"),
}

OUTBOX_PURPOSE = {
    "progress-sign": _l("Progress sign"),
    "goal": _l("Goal in your own words"),
    "goal-feedback": _l("Your words about a goal"),
    "message": _l("Message"),
    "meeting-preparation": _l("Your preparation for a meeting"),
    "contact-feedback": _l("Your view of the contact"),
    "complaint": _l("Complaint"),
    "gas-levels": _l("Your levels for a goal"),
    "gas-rating": _l("Your rating of a goal"),
}

# What waits for a caseworker, per kind (the caseload's counts).
REVIEW_KIND = {
    "message": _l("Messages"),
    "complaint": _l("Complaints"),
    "goal": _l("New goals"),
    "sign": _l("Progress signs"),
    "feedback": _l("Views on goals"),
    "preparation": _l("Meeting preparations"),
}

# Where a case stands, in plain words; and what the step means for the citizen.
CASE_STEP = {
    "received": _l("We have received it"),
    "assessing": _l("Your caseworker is looking at it"),
    "awaiting-information": _l("We are waiting for more information"),
    "decided": _l("A decision has been made"),
}

NEXT_STEP = {
    "received": _l("Your caseworker starts looking at it."),
    "assessing": _l("You get a decision in writing."),
    "awaiting-information": _l(
        "When the information has come, your caseworker goes on with your case."
    ),
}

CONTACT_MODE = {
    "in-person": _l("We meet"),
    "phone": _l("On the phone"),
    "video": _l("On video"),
}

# "How was your contact with us?": five steps in words, each with a symbol (decoration only).
SATISFACTION = {
    "very-bad": (_l("Very bad"), "😞"),
    "bad": (_l("Bad"), "🙁"),
    "neutral": (_l("Neither good nor bad"), "😐"),
    "good": (_l("Good"), "🙂"),
    "very-good": (_l("Very good"), "😄"),
}

AGREEMENT = {
    "agree": _l("Yes, I agree"),
    "partly": _l("I partly agree"),
    "disagree": _l("No, I do not agree"),
}

MESSAGE_STATE = {
    "waiting": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "read": _l("Read by your caseworker"),
    "answered": _l("Answered"),
}

SCOPES = {
    "read": _l("See my plan"),
    "write": _l("Write goals and progress signs for me"),
    "message": _l("Write to my caseworker for me"),
}

DELEGATION_KIND = {
    "relative": _l("Relative"),
    "guardian": _l("Guardian"),
    "parent": _l("Parent"),
    "fuldmagt": _l("Power of attorney (Digital Fuldmagt)"),
}

# "You act for Sara as her …"
ACTING_AS = {
    "relative": _l("relative"),
    "guardian": _l("guardian"),
    "parent": _l("parent"),
    "fuldmagt": _l("holder of a power of attorney"),
}

# The access log in plain words: what the person did.
AUDIT_ACTION = {
    "citizen:plan:read": _l("looked at your plan"),
    "citizen:progress-sign:write": _l("opened or wrote a progress sign"),
    "citizen:goal:propose": _l("worked on a new goal"),
    "citizen:goal-feedback:write": _l("opened or wrote your words about a goal"),
    "citizen:message:read": _l("read your messages"),
    "citizen:message:write": _l("wrote a message"),
    "citizen:delegation:manage": _l("looked at or changed who helps you"),
    "citizen:access-log:read": _l("looked at this list"),
    "citizen:my-data:export": _l("looked at or downloaded your data"),
    "citizen:case:read": _l("looked at your cases"),
    "citizen:meeting:prepare": _l("looked at or prepared a meeting"),
    "citizen:contact-feedback:write": _l("said how the contact was"),
    "citizen:complaint:write": _l("wrote a complaint"),
    "citizen:gas-levels:write": _l("opened or wrote the levels of a goal"),
    "citizen:gas-rating:write": _l("opened or rated where a goal stands"),
    "caseworker:case:write": _l("changed the step or date of your case"),
    "caseworker:plan:read": _l("looked at your plan"),
    "caseworker:team:named": _l("saw your name on the team page"),
    "caseworker:review:write": _l("answered or reviewed what you sent"),
    "caseworker:caseload:read": _l("looked at their list of citizens"),
    "caseworker:caseload:listed": _l("saw you in their list of citizens"),
    "caseworker:caseload:hand-over": _l("gave their citizens to a colleague"),
    "caseworker:absence:manage": _l("set when they are away"),
    "caseworker:team:read": _l("saw you on the team page"),
    "account:sign-in:manage": _l("looked at or changed how they sign in"),
    "delegation:accepted": _l("said yes to helping you"),
    "delegation:ended-by-relative": _l("ended their own access to your plan"),
    "auth:sign-in": _l("signed in"),
    "auth:sign-in:mitid": _l("signed in with MitID"),
    "auth:mitid:no-citizen": _l("signed in with MitID, but has no plan here"),
    **{
        f"auth:mitid:{reason}": _l("a MitID sign-in was refused")
        for reason in (
            "invalid",
            "replayed",
            "level-too-low",
            "no-cpr",
            "bad-signature",
            "expired",
            "idp-status",
            "not-yet-valid",
            "outside-validity",
            "unsigned",
            "unsolicited",
            "wrong-audience",
        )
    },
    "delegation:fuldmagt": _l("got access through a power of attorney (Digital Fuldmagt)"),
    "auth:sign-out": _l("signed out"),
    "auth:activation-code:used": _l("used an activation code"),
    "auth:passkey:added": _l("added a passkey"),
    "auth:passkey:renamed": _l("renamed a passkey"),
    "auth:passkey:removed": _l("removed a passkey"),
    "auth:confirm": _l("confirmed it was them"),
    "auth:sessions:ended": _l("signed out on other devices"),
    "account:notifications:changed": _l("changed e-mail settings"),
}

# Any event without its own words above (none today: tests/unit/test_audit_wording.py checks) is shown so.
AUDIT_ACTION_OTHER = _l("used the portal")

AUDIT_ROLE = {
    "relative": _l("your relative"),
    "guardian": _l("your guardian"),
    "parent": _l("your parent"),
    "fuldmagt": _l("with your power of attorney"),
    "fixed-caseworker": _l("your caseworker"),
    "substitute": _l("a substitute caseworker"),
}


# -- Issue #18: a goal's evaluation and decision (plan_api/evaluations.py DECISIONS) ----------------------
# The caseworker's choice, in their words.
EVALUATION_DECISION = {
    "keep-going": _l("Keep going as agreed"),
    "change-goal": _l("Change the goal"),
    "change-support": _l("Change the agreements or the help"),
    "sustaining": _l("Reached – now keeping it up"),
    "ended": _l("End the goal"),
}
# What the citizen reads: plain words, short sentences (LIX ≤ 30 in Danish).
EVALUATION_DECISION_CITIZEN = {
    "keep-going": _l("We go on as we agreed."),
    "change-goal": _l("We changed the goal."),
    "change-support": _l("We change what we agreed, or the help you get."),
    "sustaining": _l("You have reached the goal. Now you keep it up."),
    "ended": _l("The goal has ended."),
}
