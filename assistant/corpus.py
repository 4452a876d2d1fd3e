"""Reads the corpus folder and cuts each document into chunks, one chunker per kind:
an article by its sections, then into sentence-bounded chunks; a FAQ into one chunk per
question and answer; a comment thread entry (comment plus reply) into one chunk.

Every problem with a file is reported as a ``CorpusError`` naming the file and the reason;
the other files are still read."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter

from .text import STOPWORDS, slugify, split_units, word_count, words

# Bump when chunking or the index's word lists (text.STOPWORDS) change, so that a running app sees the index as stale.
CHUNKER_VERSION = "9"  # 9: a unit whose subject points back is embedded with the unit before it (8: a wider variant, dropped); 7: a comment chunk knows where its reply starts ("reply_from")
READABLE_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}
MAX_FILE_BYTES = 2 * 1024 * 1024  # an article is ~10 KB; a file this big is a mistake, not a page


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a corpus file has no use for them, and nested
    aliases ("billion laughs") expand to gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in corpus files",
                                              event.start_mark)
        return super().compose_node(parent, index)


def _load_yaml(text: str):
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
MIN_WORDS, TARGET_WORDS, MAX_WORDS = 60, 120, 200
INTRODUCTION = "Introduction"


@dataclass(frozen=True)
class CorpusError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class CorpusLoad:
    """What reading the corpus gave: chunks per file and the files that failed."""

    chunks: dict[str, list[Document]] = field(default_factory=dict)
    errors: list[CorpusError] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [doc for docs in self.chunks.values() for doc in docs]

    @property
    def failed_paths(self) -> set[str]:
        return {e.path for e in self.errors}


class _FileProblem(Exception):
    pass


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        p for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Changes whenever a file, its content or the chunker changes: the index is stale then."""
    digest = hashlib.sha256(f"chunker={CHUNKER_VERSION}".encode())
    for path in corpus_files(corpus_dir):
        digest.update(str(path.relative_to(corpus_dir)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    corpus_dir = Path(corpus_dir)
    result = CorpusLoad()
    if not corpus_dir.is_dir():
        result.errors.append(CorpusError(str(corpus_dir), "corpus folder does not exist"))
        return result
    parsed: dict[str, list[Document]] = {}
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            if path.suffix.lower() not in READABLE_SUFFIXES:
                raise _FileProblem(f"unsupported file type {path.suffix or '(none)'!r}: only .md and .yaml files are read")
            parsed[rel] = _chunk_file(path, _read_text(path), rel)
        except _FileProblem as problem:
            result.errors.append(CorpusError(rel, str(problem)))
    # Two files with one id: the one whose name is the id (or else the older one) keeps it, and
    # the other is the duplicate, reported by its own name and not indexed.
    by_id: dict[str, list[str]] = {}
    for rel, chunks in parsed.items():
        by_id.setdefault(chunks[0].metadata["doc_id"], []).append(rel)
    for doc_id, files in by_id.items():
        files.sort(key=lambda rel: (slugify(Path(rel).stem) != doc_id, (corpus_dir / rel).stat().st_mtime, rel))
        result.chunks[files[0]] = parsed[files[0]]
        for duplicate in files[1:]:
            result.errors.append(CorpusError(duplicate, f"id {doc_id!r} is already used by {files[0]}"))
    result.chunks = {rel: result.chunks[rel] for rel in parsed if rel in result.chunks}  # in file order
    return result


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _FileProblem(f"file is {size / 1024 / 1024:.1f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB limit "
                           "for one corpus file: split it")
    raw = path.read_bytes()
    if not raw.strip():
        raise _FileProblem("file is empty")
    if b"\x00" in raw:
        raise _FileProblem("binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileProblem(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8") from exc


def _chunk_file(path: Path, text: str, rel: str) -> list[Document]:
    if path.suffix.lower() in {".yaml", ".yml"}:
        return chunk_faq(_parse_yaml(text), rel)
    meta, body = split_front_matter(text)
    kind = meta.get("kind")
    if kind == "article":
        return chunk_article(meta, body, rel)
    if kind == "comment":
        return chunk_comment(meta, body, rel)
    raise _FileProblem(f"front matter 'kind' must be 'article' or 'comment', not {kind!r}")


def _parse_yaml(text: str) -> dict:
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as exc:
        raise _FileProblem(f"YAML does not parse: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict):
        raise _FileProblem("expected a mapping with 'title' and 'entries'")
    return data


def split_front_matter(text: str) -> tuple[dict, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _FileProblem("front matter missing: the file must start with a '---' line")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise _FileProblem("front matter is not closed by a '---' line") from None
    try:
        meta = _load_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise _FileProblem(f"front matter does not parse: {' '.join(str(exc).split())}") from exc
    if not isinstance(meta, dict):
        raise _FileProblem("front matter does not parse: expected 'key: value' lines")
    for key in ("id", "title", "kind"):
        if not str(meta.get(key) or "").strip():
            raise _FileProblem(f"front matter lacks {key!r}")
    body = "\n".join(lines[end + 1:]).strip()
    if not body:
        raise _FileProblem("no text after the front matter")
    return meta, body


def _base_metadata(meta: dict, rel: str, kind: str) -> dict:
    out = {"doc_id": str(meta["id"]).strip(), "title": str(meta["title"]).strip(), "kind": kind, "path": rel}
    for key in ("author", "source", "article", "reply_author"):
        if meta.get(key):
            out["publisher" if key == "source" else key] = str(meta[key])
    return out


def _chunk(text: str, base: dict, section: str, position: int, **extra) -> Document:
    metadata = {
        **base,
        "section": section,
        "section_slug": slugify(section),
        "position": position,
        "chunk_id": f"{base['doc_id']}:{position:03d}",
        **extra,
    }
    return Document(page_content=text, metadata=metadata)


_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


def chunk_article(meta: dict, body: str, rel: str) -> list[Document]:
    """Split by section headings, then pack whole sentences (a list stays whole) into chunks."""
    base = _base_metadata(meta, rel, "article")
    splitter = MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True)
    chunks: list[Document] = []
    for part in splitter.split_text(body):
        section = part.metadata.get("h2") or part.metadata.get("h3") or INTRODUCTION
        for text in pack_units(split_units(_blocks(part.page_content))):
            chunks.append(_chunk(f"{section}\n\n{text}", base, section, len(chunks)))
    if not chunks:
        raise _FileProblem("article has no text under its headings")
    return chunks


def _blocks(section_text: str) -> str:
    """The header splitter returns one line per paragraph: give paragraphs back their blank lines."""
    blocks: list[str] = []
    for raw in section_text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("- ", "* ")):
            item = "- " + line[2:].strip()
            if blocks and blocks[-1].startswith("- "):
                blocks[-1] += "\n" + item
            else:
                blocks.append(item)
        else:
            blocks.append(line)
    return "\n\n".join(blocks)


def pack_units(units: list[str]) -> list[str]:
    """Greedy packing to about TARGET_WORDS, never over MAX_WORDS unless one unit is;
    a short tail is merged into the chunk before it when that stays under MAX_WORDS."""
    chunks: list[list[str]] = []
    count = 0
    for unit in units:
        n = word_count(unit)
        if chunks and count < TARGET_WORDS and count + n <= MAX_WORDS:
            chunks[-1].append(unit)
            count += n
        else:
            chunks.append([unit])
            count = n
    if len(chunks) > 1 and sum(map(word_count, chunks[-1])) < MIN_WORDS:
        tail = chunks.pop()
        if sum(map(word_count, chunks[-1] + tail)) <= MAX_WORDS:
            chunks[-1].extend(tail)
        else:
            chunks.append(tail)
    return [_join(c) for c in chunks]


def _join(units: list[str]) -> str:
    """Prose units run together; a list keeps its own paragraph."""
    out = ""
    for unit in units:
        if not out:
            out = unit
        elif "\n- " in unit or unit.startswith("- ") or "\n- " in out[-200:] or out.startswith("- "):
            out += "\n\n" + unit
        else:
            out += " " + unit
    return out


def _paragraphs(text: str) -> str:
    return "\n\n".join(p.strip() for p in text.strip().split("\n\n") if p.strip())


def chunk_comment(meta: dict, body: str, rel: str) -> list[Document]:
    """One chunk per comment, with the author's reply when there is one."""
    base = _base_metadata(meta, rel, "comment")
    section = f"Comment by {meta.get('author') or 'a reader'}"
    # The reader's words, then the reply (from its "## Reply ..." heading on), when there is one.
    pieces = re.split(r"^#+\s*Reply\b.*$", body, maxsplit=1, flags=re.M)
    comment, reply = pieces[0], pieces[1] if len(pieces) > 1 else ""
    parts = [_paragraphs("\n".join(line for line in part.splitlines() if not line.startswith("#")))
             for part in (comment, reply)]
    text = "\n\n".join(part for part in parts if part)
    # Which units are the reader's own ("what did Cindy say?" is not answered by the reply to her).
    extra = {"reply_from": len(split_units(parts[0]))} if parts[1] else {}
    return [_chunk(text, base, section, 0, **extra)]


def chunk_faq(data: dict, rel: str) -> list[Document]:
    entries = data.get("entries")
    if not isinstance(entries, list) or not entries:
        raise _FileProblem("FAQ has no 'entries' list")
    title = str(data.get("title") or "FAQ")
    base = {"doc_id": slugify(Path(rel).stem) or "faq", "title": title, "kind": "faq", "path": rel}
    chunks: list[Document] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise _FileProblem(f"FAQ entry {number} is not a mapping")
        label = f"FAQ entry {number} ({entry.get('id') or 'no id'})"
        question, answer = (str(entry.get(k) or "").strip() for k in ("question", "answer"))
        if not question:
            raise _FileProblem(f"{label} has no question")
        if not answer:
            raise _FileProblem(f"{label} has no answer")
        faq_id = str(entry.get("id") or slugify(question))
        if faq_id in seen:
            raise _FileProblem(f"{label}: id {faq_id!r} is used twice")
        seen.add(faq_id)
        extra = {"faq_id": faq_id}
        if entry.get("source"):
            extra["rests_on"] = str(entry["source"])
        text = f"{question}\n\n{' '.join(answer.split())}"
        chunks.append(_chunk(text, base, question, len(chunks), **extra))
    return chunks


def chunk_body(doc: Document) -> str:
    """The chunk's text without the section heading that articles carry first."""
    text = doc.page_content
    if doc.metadata.get("kind") in ("article", "faq"):
        head, _, rest = text.partition("\n\n")
        if rest and head == doc.metadata.get("section"):
            return rest
    return text


def unit_documents(chunks: list[Document]) -> list[Document]:
    """The answerable units (sentences, a list with its lead-in) of a file's chunks, each
    embedded on its own at ingest so that answering can match a question to a sentence by
    meaning. A FAQ entry's question is a unit too: it is what a user's question paraphrases."""
    out: list[Document] = []
    for chunk in chunks:
        meta = chunk.metadata
        base = {"path": meta["path"], "chunk_id": meta["chunk_id"], "doc_id": meta["doc_id"], "kind": meta["kind"]}
        texts: list[tuple[str, str]] = []
        if meta["kind"] == "faq":
            texts.append(("question", meta["section"]))
        texts.extend(("text", unit) for unit in split_units(chunk_body(chunk)))
        for number, (role, text) in enumerate(texts):
            # A sentence that points back ("All of these educational providers have NCBTMB approved providers.")
            # means what it says with the sentence before it: its vector is of both, its text its own.
            before = texts[number - 1][1] if number and role == "text" and points_back(text) else ""
            out.append(Document(page_content=f"{before} {text}".strip(),
                                metadata={**base, "unit": number, "role": role, "text": text}))
    return out


# A subject that points back: "These schools ...", "All of these ...", "They are ...", "It can ..."; not an "it" that
# points forward ("It's great to see that ...", "It is important to ...").
_POINTS_BACK = re.compile(r"^(?:(?:All|Some|Many|Most|Each|One)\s+of\s+)?(?:These|Those|Such|They|Them)\b"
                          r"|^It\s+(?!(?:is|was|'s|’s)\s+(?:\w+\s+){0,2}?(?:to|that)\b)", re.I)


def points_back(text: str) -> bool:
    """The sentence names what it speaks of by pointing to the sentence before it."""
    return bool(_POINTS_BACK.search(text))


def term_documents(chunks: list[Document]) -> list[Document]:
    """The distinct words a file uses, each embedded on its own at ingest: a question word
    the corpus never uses is understood when a corpus word means the same (doctor, physician)."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        for word in words(chunk.page_content):
            if len(word) >= 3 and word.isalpha() and word not in STOPWORDS:
                seen.setdefault(word, None)
    path = chunks[0].metadata["path"] if chunks else ""
    return [Document(page_content=word, metadata={"path": path}) for word in seen]
