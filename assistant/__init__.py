"""Grounded answers about medical massage therapy, from a small corpus, offline.

Names are imported on first use, so that `python ingest.py` with nothing to do does not
pay for the answering side (LangChain retrievers, tracing) at start-up."""

from importlib import import_module

_EXPORTS = {
    "Answer": "answer", "Citation": "answer",
    "Assistant": "pipeline", "IndexNotReadyError": "pipeline",
    "Settings": "settings", "get_settings": "settings",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
