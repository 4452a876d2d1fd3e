"""The description of the sources that refusals give, computed with the lexical index at ingest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from langchain_core.documents import Document


@dataclass(frozen=True)
class SourceDescription:
    """What is indexed, said in words: refusals describe the sources as they are, not as
    they were when someone wrote a sentence about them."""

    articles: tuple[str, ...]
    topics: tuple[str, ...]
    comments: int
    faq_questions: tuple[str, ...]
    commenters: tuple[tuple[str, str], ...] = ()   # (reader, chunk id of their comment): "what did Cindy say?"

    @classmethod
    def from_chunks(cls, docs: list[Document]) -> "SourceDescription":
        articles: dict[str, str] = {}
        topics: dict[str, None] = {}
        comments: set[str] = set()
        commenters: dict[str, str] = {}
        faq: dict[str, None] = {}
        for doc in sorted(docs, key=lambda d: (d.metadata.get("doc_id", ""), d.metadata.get("position", 0))):
            meta = doc.metadata
            if meta.get("kind") == "article":
                articles.setdefault(meta.get("doc_id", ""), meta.get("title", ""))
                if meta.get("section") and meta.get("section") != "Introduction":
                    topics.setdefault(meta["section"].rstrip("?"), None)
            elif meta.get("kind") == "comment":
                comments.add(meta.get("doc_id", ""))
                if meta.get("author"):
                    commenters.setdefault(meta["author"], meta.get("chunk_id", ""))
            elif meta.get("kind") == "faq":
                faq.setdefault(meta.get("section", ""), None)
        return cls(tuple(articles.values()), tuple(topics), len(comments), tuple(q for q in faq if q),
                   tuple(commenters.items()))

    @cached_property
    def subject(self) -> str:
        """What every article is about, read from their titles: the longest run of two or more
        words all titles share ("medical massage therapy"); empty when they share none."""
        titles = [re.findall(r"[a-z0-9']+", t.lower()) for t in self.articles if t]
        if not titles:
            return ""
        first, rest = titles[0], titles[1:]
        for size in range(len(first), 1, -1):
            for start in range(len(first) - size + 1):
                run = first[start:start + size]
                if all(_contains(other, run) for other in rest):
                    return " ".join(run)
        return ""

    def sentence(self, topics: bool = True) -> str:
        parts = []
        if self.articles:
            titles = [f"“{t}”" for t in self.articles]
            noun = "article" if len(titles) == 1 else f"{_number(len(titles))} articles"
            parts.append(f"the {noun} {and_list(titles)}")
        if self.comments:
            parts.append(f"{_number(self.comments)} reader comment{'s' if self.comments != 1 else ''}")
        if self.faq_questions:
            parts.append("a FAQ written from them")
        if not parts:
            return "My sources are empty."
        text = f"My sources are {and_list(parts)}."
        if topics and self.topics:
            text += " They cover: " + "; ".join(self.topics) + "."
        return text

    def examples(self, n: int = 2) -> str:
        return " or ".join(f"“{q}”" for q in self.faq_questions[:n]) or "a question about the topics above"


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _number(n: int) -> str:
    return ("one two three four five six seven eight nine".split()[n - 1]) if 1 <= n <= 9 else str(n)


def names_person(text: str, person: str) -> bool:
    """``text`` names ``person`` by their whole name or their first name ("Nash Rich", "Nash", "Mary
    Ann"; a surname alone may be an everyday word: "rich people")."""
    typed, name = re.findall(r"[a-z0-9]+", text.lower()), re.findall(r"[a-z0-9]+", person.lower())
    return any(typed[i:i + len(part)] == part for part in (name, name[:2], name[:1]) if part
               for i in range(len(typed)))


def reader_named(readers: list[str], typed: str, query: str) -> str | None:
    """The reader the user names: in what they typed; in a follow-up that names none, the one the
    conversation named ("and what was the answer?" after "what did Cindy ask?")."""
    for text in (typed, query):
        found = next((r for r in readers if names_person(text, r)), None)
        if found:
            return found
    return None
