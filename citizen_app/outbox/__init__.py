"""Transactional outbox: enqueue in the caller's transaction, deliver later, at least once, in order per plan, until the plan API decides."""

from .dispatcher import Dispatcher, DispatchReport, backoff_delay
from .enqueue import enqueue
from .inline import InlineDispatch
from .worker import Worker

__all__ = ["DispatchReport", "Dispatcher", "InlineDispatch", "Worker", "backoff_delay", "enqueue"]
