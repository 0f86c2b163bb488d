from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import commit_now
from ..models import Draft
from .upsert import insert_missing


def find(db_session: Session, account_id: uuid.UUID, citizen_ref: str, kind: str) -> Draft | None:
    return db_session.scalar(
        select(Draft).where(
            Draft.account_id == account_id, Draft.citizen_ref == citizen_ref, Draft.kind == kind
        )
    )


def answers(draft: Draft | None) -> dict[str, str]:
    if draft is None or not draft.answers_json:
        return {}
    try:
        data = json.loads(draft.answers_json)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save(
    db_session: Session,
    *,
    account_id: uuid.UUID,
    citizen_ref: str,
    kind: str,
    step: str,
    updates: dict[str, str],
) -> Draft:
    """Merge `updates` into the draft and commit at once: whatever was typed is safe from here on."""
    draft = find(db_session, account_id, citizen_ref, kind)
    if draft is None:
        # Insert if missing, race-free: the same form sent twice at once makes one draft, not a 500.
        insert_missing(
            db_session,
            Draft,
            [{"account_id": account_id, "citizen_ref": citizen_ref, "kind": kind, "step": step}],
            keys=["account_id", "citizen_ref", "kind"],
        )
        draft = find(db_session, account_id, citizen_ref, kind)
        assert draft is not None
    merged = {**answers(draft), **updates}
    draft.answers_json = json.dumps(merged, ensure_ascii=True)
    draft.step = step
    # On purpose before the request ends: a form answered with its errors (400) still keeps the words.
    commit_now(db_session, "typed words are kept before anything is checked")
    return draft


def delete(db_session: Session, draft: Draft) -> None:
    db_session.delete(draft)
    db_session.flush()


def discard(db_session: Session, account_id: uuid.UUID, citizen_ref: str, kind: str) -> None:
    draft = find(db_session, account_id, citizen_ref, kind)
    if draft is not None:
        db_session.delete(draft)
        db_session.flush()


def forget(
    db_session: Session, account_id: uuid.UUID, citizen_ref: str, kind: str, keys: list[str]
) -> None:
    """Take `keys` out of the draft (what was sent is no longer a draft); the draft goes when nothing is left."""
    draft = find(db_session, account_id, citizen_ref, kind)
    if draft is None:
        return
    left = {k: v for k, v in answers(draft).items() if k not in keys}
    if left:
        draft.answers_json = json.dumps(left, ensure_ascii=True)
    else:
        db_session.delete(draft)
    db_session.flush()
