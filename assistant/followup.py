"""Follow-up questions answered as the standalone question they stand for.

Without a language model: a short question that leans on the conversation ("How much
does it cost?", "And in Maryland?") is joined to the user's previous (resolved) question,
which carries the subject over. History is capped to the last ``max_turns`` user turns."""

from __future__ import annotations

import re
from typing import Any

_REFERS_BACK = re.compile(r"\b(it|its|it's|that|this|they|them|their|those|these|there|one|ones|same|he|she)\b", re.I)
_CONNECTIVE = re.compile(r"^\s*(and|but|also|so|or|what about|how about|what if|same|in|for|then|plus|only)\b", re.I)
MAX_FOLLOWUP_WORDS = 12


def clean_history(history: Any, max_turns: int) -> list[dict[str, str]]:
    """Keep well-formed turns only (role user/assistant, text content), the last ``max_turns`` user turns."""
    if not isinstance(history, (list, tuple)):
        return []
    turns = [
        {"role": item["role"], "content": item["content"]}
        for item in history[-(max_turns * 4 + 4):]
        if isinstance(item, dict) and item.get("role") in ("user", "assistant") and isinstance(item.get("content"), str)
    ]
    user_positions = [i for i, t in enumerate(turns) if t["role"] == "user"]
    if len(user_positions) > max_turns:
        turns = turns[user_positions[-max_turns]:]
    return turns


def is_followup(question: str) -> bool:
    n = len(question.split())
    return 0 < n <= MAX_FOLLOWUP_WORDS and bool(_CONNECTIVE.search(question) or _REFERS_BACK.search(question))


def standalone_question(question: str, history: list[dict[str, str]]) -> str:
    """The question with the subject of the conversation carried over when it leans on it."""
    previous = ""
    for turn in history:
        if turn["role"] == "user":
            text = " ".join(turn["content"].split())
            previous = f"{previous} {text}".strip() if previous and is_followup(text) else text
    if previous and is_followup(question):
        return f"{previous} {question}"
    return question
