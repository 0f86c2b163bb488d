"""Transactional outbox: enqueue in the caller's transaction, deliver later, at least once, in order per plan."""

from .dispatcher import Dispatcher, DispatchReport, backoff_delay
from .enqueue import enqueue
from .inline import InlineDispatch

__all__ = ["DispatchReport", "Dispatcher", "InlineDispatch", "backoff_delay", "enqueue"]
