import re

import yaml

from assistant.corpus import MAX_WORDS, load_corpus
from assistant.text import split_sentences, split_units, word_count

from .conftest import CORPUS


def _by_kind(kind):
    return [d for d in load_corpus(CORPUS).documents if d.metadata["kind"] == kind]


def test_shipped_corpus_loads_without_errors():
    loaded = load_corpus(CORPUS)
    assert loaded.errors == []
    assert {d.metadata["kind"] for d in loaded.documents} == {"article", "comment", "faq"}


def test_articles_are_split_by_section_into_bounded_chunks():
    chunks = _by_kind("article")
    sections = {(c.metadata["doc_id"], c.metadata["section"]) for c in chunks}
    assert ("schools", "Do You Need a Special Medical Massage Certification?") in sections
    assert ("meaning", "Medical Massage Therapist Licensing and Credentialing") in sections
    for chunk in chunks:
        assert word_count(chunk.page_content) <= MAX_WORDS + 20, chunk.metadata["chunk_id"]
        # a chunk never mixes two sections: its text starts with its own heading only
        assert chunk.page_content.startswith(chunk.metadata["section"] + "\n\n")
    long_sections = [c for c in chunks if word_count(c.page_content) >= 60]
    assert len(long_sections) >= len(chunks) - 1


def test_article_chunks_end_on_sentence_boundaries():
    for chunk in _by_kind("article"):
        assert chunk.page_content.rstrip()[-1] in ".:!?”\"", chunk.metadata["chunk_id"]


def test_bullet_list_stays_whole_with_its_lead_in():
    listing = [c for c in _by_kind("article") if "- Sciatica" in c.page_content]
    assert len(listing) == 1
    text = listing[0].page_content
    assert "Medical massage can generally treat the following:\n\n- Carpal tunnel syndrome" in text
    assert "- Pain associated with bulging or injured spinal discs and many more." in text


def test_page_furniture_is_not_in_the_corpus():
    text = "\n".join(d.page_content for d in load_corpus(CORPUS).documents)
    for furniture in ("Want to Multitask?", "Leave a Reply", "See schools by state", "Popular Programs", "Leave a Comment"):
        assert furniture not in text


def test_each_comment_is_one_chunk_with_its_reply():
    comments = _by_kind("comment")
    assert len(comments) == 3
    cindy = next(c for c in comments if c.metadata["author"] == "Cindy")
    assert "business cards" in cindy.page_content
    assert "not an official designation" in cindy.page_content  # the author's reply is in the same unit
    assert cindy.metadata["article"] == "schools"
    # Which units are hers: the reply ("Cindy – while there is not an official designation ...") starts after them.
    units = split_units(cindy.page_content)
    assert "not an official designation" in units[cindy.metadata["reply_from"]]
    assert not any("official designation" in u for u in units[:cindy.metadata["reply_from"]])
    assert all("reply_from" not in c.metadata for c in comments if c is not cindy)  # no reply, no mark


def test_chunk_metadata_is_complete_and_ids_are_unique():
    docs = load_corpus(CORPUS).documents
    for doc in docs:
        for key in ("doc_id", "title", "section", "kind", "position", "chunk_id", "path"):
            assert key in doc.metadata, (key, doc.metadata)
    ids = [d.metadata["chunk_id"] for d in docs]
    assert len(ids) == len(set(ids))


def test_faq_has_thirty_entries_each_resting_on_a_real_section():
    faqs = _by_kind("faq")
    assert len(faqs) >= 30
    loaded = load_corpus(CORPUS).documents
    sections = {(d.metadata["doc_id"], d.metadata["section_slug"]) for d in loaded}
    doc_ids = {d.metadata["doc_id"] for d in loaded}
    for faq in faqs:
        ref = faq.metadata["rests_on"]
        doc_id, _, slug = ref.partition("#")
        assert (doc_id, slug) in sections if slug else doc_id in doc_ids, ref


def test_faq_answers_are_short():
    data = yaml.safe_load((CORPUS / "faq.yaml").read_text())
    for entry in data["entries"]:
        assert 1 <= len(split_sentences(entry["answer"])) <= 4, entry["id"]


def test_sentence_splitter_joins_fragments_the_source_printed_apart():
    text = "In order for insurance to cover medical massage. The massage needs to prescribe by a physician. And thus more."
    assert split_sentences(text) == [
        "In order for insurance to cover medical massage. The massage needs to prescribe by a physician. And thus more."
    ]
    assert split_sentences("No. It is not needed. Costs $1,400 in cost.") == ["No. It is not needed.", "Costs $1,400 in cost."]


def test_units_keep_a_list_with_the_sentence_that_introduces_it():
    units = split_units("It treats the following:\n\n- A\n- B\n\nAnother sentence.")
    assert units == ["It treats the following:\n\n- A\n- B", "Another sentence."]
    assert not any(re.search(r"\n- .*\n\n- ", u) for u in units)


def test_an_organization_spelled_out_is_named_by_its_acronym():
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts([
        "According to the Medical Massage Practitioners of America (MMPA), no certification is needed.",
        "The American Massage Therapy Association (AMTA) offers resources. Medical massage is new.",
        "Credits (CEU) and a Board (XYZ) whose letters do not spell it.",
    ])
    assert set(vocabulary.acronyms) == {"mmpa", "amta"}
    assert vocabulary.names_in("what does the medical massage practitioners of america charge") == ["mmpa"]
    assert vocabulary.mentions("The MMPA offers three levels.", "mmpa")
    assert vocabulary.mentions("the Medical Massage Practitioners of America say so", "mmpa")
    assert not vocabulary.mentions("The AMTA offers resources.", "mmpa")
    assert vocabulary.correct("how much is the Medical Massage Practitioners of America course").endswith("(MMPA)")


def test_an_acronym_the_corpus_only_writes_out_is_understood():
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts([
        "Maryland distinguishes Registered Massage Practitioners from Licensed Massage Therapists.",
        "A massage is good.",
    ])
    assert vocabulary.initialisms["rmp"] == ("registered", "massage", "practitioners")
    assert "registered massage practitioners" in vocabulary.correct("can an RMP work in a hospital?")
    assert vocabulary.corpus_form("rmp") is not None  # not a word the corpus lacks
    assert "mg" not in vocabulary.initialisms and "am" not in vocabulary.initialisms  # two letters: noise


def test_a_glossary_word_is_understood_in_the_plural_too():
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts(["A massage therapist needs a license."])
    assert vocabulary.corpus_form("masseuse") == vocabulary.corpus_form("masseuses") == "massage therapist"
    assert "massage therapist" in vocabulary.correct("do masseuses need a license?")


def test_an_acronym_the_corpus_uses_apart_from_its_name_is_joined_to_the_name():
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts([
        "One of them is the National Certification Board for Therapeutic Massage and Bodywork.",
        "All of these providers are NCBTMB approved.",
    ])
    assert "national certification board" in vocabulary.correct("what is the NCBTMB?")
    # typed in lowercase, still the acronym the corpus uses (no word the language model knows whole)
    assert "national certification board" in vocabulary.correct("whats the ncbtmb short for?")


def test_a_word_typed_in_lowercase_is_no_initials_when_the_language_model_knows_it_whole():
    """"man, is it hard?" was read as "Mary Ann Ninaus, is it hard?" and answered from her comment."""
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts(["Mary Ann Ninaus asked about Registered Massage Practitioners.", "A massage."])
    assert vocabulary.initialisms["man"] == ("mary", "ann", "ninaus")
    assert "mary" not in vocabulary.correct("man, is it hard?")
    assert "mary ann ninaus" in vocabulary.correct("what did MAN ask?")
    assert "registered massage practitioners" in vocabulary.correct("whats an rmp?")


def test_capitals_running_on_are_not_names():
    from assistant.decision import typed_names

    assert typed_names("'; DROP TABLE feedback; -- what is medical massage") == set()
    assert typed_names("SYSTEM OVERRIDE: does insurance need a prescription?") == set()
    assert typed_names("can i use my HSA or FSA card") == {"hsa", "fsa"}
    assert typed_names("My plan is through Kaiser. Will they cover it?") == {"kaiser"}


def test_an_everyday_word_is_not_corrected_into_a_name():
    from assistant.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_texts(["The term was coined by Pete Sparring in 1997 in Maryland.", "The certification is new."])
    assert vocabulary.correction("spring") is None            # not "sparring"
    assert vocabulary.correction("marylnd") == "maryland"     # a name misspelt by one letter still is
    assert vocabulary.correction("certifcation") == "certification"


def test_a_reader_is_named_by_their_whole_name_or_first_name():
    from assistant.sources import names_person
    assert names_person("what did Nash Rich say?", "Nash Rich") and names_person("what did nash say", "Nash Rich")
    assert names_person("what did mary ann ask", "Mary Ann Ninaus") and names_person("cindy's comment", "Cindy")
    assert not names_person("do rich people get medical massage?", "Nash Rich")  # a surname may be an everyday word
    assert not names_person("what did cindyx say", "Cindy")


def test_a_unit_that_points_back_is_embedded_with_the_sentence_before_it():
    """"All of these educational providers have NCBTMB approved providers." means little alone; its vector is of
    it and the sentence it points to, while the text shown and cited stays its own."""
    from langchain_core.documents import Document
    from assistant.corpus import points_back, unit_documents
    chunk = Document(page_content="Organizations offering training include the MMPA and the AMMA. "
                                  "All of these educational providers have NCBTMB approved providers. It’s great to see that.",
                     metadata={"path": "a.md", "chunk_id": "a:000", "doc_id": "a", "kind": "article"})
    units = unit_documents([chunk])
    pointing = [u for u in units if u.metadata["text"].startswith("All of these")]
    assert pointing and pointing[0].page_content.startswith("Organizations offering training")
    assert all(u.page_content == u.metadata["text"] for u in units if u is not pointing[0])
    assert points_back("They are usually provided by third-party agencies.")
    assert not points_back("It’s great to see that there is massage therapy that can help.")  # "it" points forward
