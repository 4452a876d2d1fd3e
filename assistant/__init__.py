"""Grounded answers about medical massage therapy, from a small corpus, offline."""

from .answer import Answer, Citation
from .pipeline import Assistant, IndexNotReadyError
from .settings import Settings, get_settings

__all__ = ["Answer", "Assistant", "Citation", "IndexNotReadyError", "Settings", "get_settings"]
