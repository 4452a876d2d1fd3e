"""The verdict from the evidence alone (``judge``), on evidence built by hand."""

from dataclasses import replace

import pytest
from langchain_core.documents import Document

from assistant.compounds import compounds_in
from assistant.decision import (Decider, Decision, Evidence, ScoredUnit, Term, Thresholds, answer_type, asked_subject, defined_term, defines,
                                judge, question_sentence, who_asks)
from assistant.retrieval import RetrievedChunk, Unit
from assistant.text import typed_sentences
from assistant.vocabulary import Vocabulary

THRESHOLDS = Thresholds(salient_shift=0.06, generic_shift=0.25, domain_similarity=0.15)


def _evidence(best_text: str, term: Term) -> Evidence:
    hit = RetrievedChunk(doc=Document(page_content=best_text, metadata={"kind": "article"}, id="c1"), score=1.0,
                         dense=0.8)
    unit = ScoredUnit(Unit(best_text, hit, 0, similarity=0.8), score=0.7, coverage=0.6)
    return Evidence(top_similarity=0.8, units=[unit], terms=[term])


# An everyday word the corpus lacks, which moves the question more than a name would but less than
# phrasing does: "anxiety" in "does it help with anxiety?".
ANXIETY = Term("anxiety", nearest="concerns", nearest_similarity=0.5, shift=0.15, domain=0.1)


def test_a_word_asked_of_a_list_written_out_in_a_sentence_is_held_to_the_list_bar():
    """A list names what it holds, whether in bullets or written out with commas: a word it lacks
    at a shift a list would not leave out is an ask the sources lack."""
    enumeration = ("It can treat carpal tunnel syndrome, sciatica, rotator cuff injuries, back and neck pain "
                   "and migraines.")
    bullets = "It can treat the following:\n\n- Carpal tunnel syndrome\n- Sciatica\n- Back and neck pain"
    for text in (enumeration, bullets):
        decision = judge(_evidence(text, ANXIETY), THRESHOLDS)
        assert decision.verdict != "answer" and decision.missing == ["anxiety"], (text, decision.reason)


@pytest.mark.parametrize("statement", [
    "It aims to give relief to patients who suffer from various conditions.",
    # Two things joined by "and" and a clause after one comma: three short parts, but no list.
    "Numerous insurance companies have recently tended to pay for complementary and alternative treatments, "
    "because these methods are widely used and really work.",
])
def test_a_word_asked_of_a_plain_statement_is_held_to_the_everyday_bar(statement):
    decision = judge(_evidence(statement, ANXIETY), THRESHOLDS)
    assert decision.verdict == "answer", decision.reason


@pytest.mark.parametrize("question, thing", [
    ("what are contraindications?", "contraindications"),
    ("What does maximum medical improvement mean?", "maximum medical improvement"),
    ("what is medical massage exactly", "medical massage"),
    ("hey what does maximum medical improvement actually mean?", "maximum medical improvement"),  # a greeting first
    ("hey, what does it mean when they say maximum medical improvement?", "maximum medical improvement"),
    ("what do they mean by contraindications?", "contraindications"),
    ("define medical massage", "medical massage"),
    ("what's an RMP?", "rmp"),
    ("What is the tuition for the MMPA certification?", None),   # something of a thing, not what it is
    ("whats the difference between medical and relaxing massage", None),
    ("What does that actually mean?", None),                      # leans on the conversation
    ("how much does it cost?", None),
])
def test_what_a_question_asks_the_meaning_of(question, thing):
    assert defined_term(question) == thing


@pytest.mark.parametrize("text, says", [
    ("Medical massage therapy aims to provide help and relief for patients.", True),   # opens with it
    ("In essence, medical massage is a type of massage used as treatment.", True),
    ("A treatment plan is a document that sets out the sessions.", True),
    ("Courses count as a treatment plan, which insurers ask for.", True),                 # a relative clause says what it is
    ("The patient shows that the massages are part of a treatment plan for injuries.", False),  # uses it
    ("Insurers ask whether the treatment plan is expected to relieve the condition.", False),  # not its subject
    ("Courses cover pathologies and contraindications.", False),
    # by its kinds, or by who gives it
    ("The work focuses on a treatment plan, including massage sessions and exercises.", True),
    ("You can also get a treatment plan, usually provided by a physician.", True),
    ("Insurers ask for a treatment plan, expected to relieve the condition.", False),
])
def test_a_sentence_defines_a_thing_when_it_says_what_it_is(text, says):
    hit = RetrievedChunk(doc=Document(page_content=text, metadata={}, id="c"), score=1.0)
    thing = "medical massage" if text.startswith(("Medical", "In essence")) else \
        "contraindications" if "contraindications" in text else "treatment plan"
    assert defines(Unit(text, hit, 0), thing) is says


def test_a_faq_entry_about_a_thing_says_what_it_is():
    """The maintainers wrote the entry about it: "How is medical massage different from relaxation
    massage?" says what relaxation massage is; an entry about something else does not."""
    hit = RetrievedChunk(doc=Document(page_content="What is medical massage?\n\n...", metadata={"kind": "faq"}, id="f"),
                         score=1.0)
    assert defines(Unit("What is medical massage?", hit, 0, role="question"), "medical massage")
    assert defines(Unit("How is medical massage different from relaxation massage?", hit, 0, role="question"),
                   "relaxation massage")
    assert not defines(Unit("Does insurance need a treatment plan?", hit, 0, role="question"), "relaxation massage")


def test_a_question_about_what_a_thing_means_is_refused_when_no_passage_says_what_it_is():
    """A passage that only uses the words is no answer to what they mean."""
    uses = "Medical massage looks for a functional outcome with maximum medical improvement in the patient."
    hit = RetrievedChunk(doc=Document(page_content=uses, metadata={"kind": "article"}, id="c1"), score=1.0, dense=0.8)
    evidence = Evidence(top_similarity=0.8, units=[ScoredUnit(Unit(uses, hit, 0, similarity=0.8), 0.7, 0.8)],
                        defined="maximum medical improvement")
    decision = judge(evidence, THRESHOLDS)
    assert decision.refused and decision.missing == ["maximum medical improvement"]
    evidence.defined = None
    assert judge(evidence, THRESHOLDS).verdict == "answer"


def test_a_question_far_in_meaning_is_still_on_the_subject_when_a_passage_has_all_its_words():
    """MiniLM puts "what are trigger points?" far from every passage (0.17), but the techniques
    sentence names trigger points: it is a question about the subject the sources do not answer,
    not one about something else."""
    text = "It uses clinical techniques, including myofascial treatments and trigger point technique."
    hit = RetrievedChunk(doc=Document(page_content=text, metadata={"kind": "article"}, id="c1"), score=1.0, dense=0.17)
    def evidence(coverage):
        return Evidence(top_similarity=0.17, units=[ScoredUnit(Unit(text, hit, 0, similarity=0.17), 0.27, coverage)])
    assert judge(evidence(1.0), THRESHOLDS).reason != "off-subject"
    assert judge(evidence(0.4), THRESHOLDS).reason == "off-subject"   # "what's the weather tomorrow?"


def _units(*texts_scores):
    units = []
    for i, (text, score) in enumerate(texts_scores):
        hit = RetrievedChunk(doc=Document(page_content=text, metadata={"kind": "article"}, id=f"c{i}"), score=1.0,
                             dense=score)
        units.append(ScoredUnit(Unit(text, hit, 0, similarity=score), score, 0.5))
    return units


OUTLOOK = "The career outlook is promising, and medical massage is gaining popularity fast."
CHALLENGE = "If you aren't afraid of challenges, it is a great career that lets you help people."


def test_an_outlook_question_leads_with_the_outlook_when_a_close_passage_states_one():
    """"Is it a good career?" gets the outlook, even when the challenges sentence is a little closer."""
    units = _units((CHALLENGE, 0.72), (OUTLOOK, 0.66))
    decision = judge(Evidence(top_similarity=0.8, units=units, asks="outlook", typed_units=[units[1]]), THRESHOLDS)
    assert decision.verdict == "answer" and decision.lead.unit.text == OUTLOOK


def test_an_outlook_question_with_no_outlook_passage_is_answered_by_its_best_passage():
    """The outlook is what such a question is best answered by, not the only answer to it: with no
    passage close enough stating one, the best passage answers (a price asked with none stated is refused)."""
    assert not answer_type("outlook").required and answer_type("amount").required
    units = _units((CHALLENGE, 0.72))
    decision = judge(Evidence(top_similarity=0.8, units=units, asks="outlook", typed_units=[]), THRESHOLDS)
    assert decision.verdict == "answer" and decision.lead.unit.text == CHALLENGE and decision.evidence.asks is None
    assert judge(Evidence(top_similarity=0.8, units=units, asks="amount", typed_units=[]), THRESHOLDS).refused


def test_the_word_that_asked_for_the_type_is_answered_by_a_passage_stating_it():
    """"Are they in demand?": the corpus never says "demand", but the outlook it asked for is stated."""
    demand = Term("demand", nearest="need", nearest_similarity=0.5, shift=0.3, domain=0.1)
    units = _units((OUTLOOK, 0.7))
    def evidence(type_words):
        return Evidence(top_similarity=0.8, units=units, terms=[demand], asks="outlook", typed_units=units,
                        type_words=type_words)
    assert judge(evidence(frozenset({"in", "demand"})), THRESHOLDS).verdict == "answer"
    assert judge(evidence(frozenset()), THRESHOLDS).missing == ["demand"]


def test_a_word_of_the_story_before_the_question_is_held_to_the_everyday_bar():
    """"I've dealt with three insurers and each wanted different *paperwork*. Is that normal?": a domain
    word said only in the story is context; in the question itself it is an ask ("what paperwork ...?").
    A name keeps its bar wherever it is ("I live in Ohio. Do I need a license?")."""
    statement = "Different insurance companies have different requirements in order to reimburse medical massages."
    paperwork = Term("paperwork", nearest="documentation", nearest_similarity=0.61, shift=0.08, domain=0.2)
    story = Term("paperwork", nearest="documentation", nearest_similarity=0.61, shift=0.08, domain=0.2, in_story=True)
    ohio = Term("ohio", nearest="state", nearest_similarity=0.64, shift=0.08, domain=0.02, typed_as_name=True,
                name_like=True, in_story=True)
    assert judge(_evidence(statement, paperwork), THRESHOLDS).verdict != "answer"
    assert judge(_evidence(statement, story), THRESHOLDS).verdict == "answer"
    assert judge(_evidence(statement, ohio), THRESHOLDS).verdict != "answer"
    # Only like a name (its closest corpus word is "American"), not typed as one: the everyday bar in the story.
    swedish = Term("swedish", nearest="american", nearest_similarity=0.5, shift=0.07, domain=0.01, name_like=True,
                   in_story=True)
    assert judge(_evidence(statement, swedish), THRESHOLDS).verdict == "answer"
    assert judge(_evidence(statement, replace(swedish, in_story=False)), THRESHOLDS).verdict != "answer"


def test_a_typed_message_is_split_into_sentences_whatever_case_they_start_in():
    assert typed_sentences("i work at a spa doing swedish massage. how is medical massage different?") == [
        "i work at a spa doing swedish massage.", "how is medical massage different?"]
    assert typed_sentences("i live in the U.S. and Dr. Lee said so. ok?") == ["i live in the U.S. and Dr. Lee said so.", "ok?"]
    assert typed_sentences("billing code for medical massage... is it 97124??") == [
        "billing code for medical massage... is it 97124??"]
    assert question_sentence("my cousin does swedish massages at a spa. is that the same thing?") == "is that the same thing?"
    # A semicolon ends a clause as a full stop does; marks before the question's first word hide no question.
    assert typed_sentences("DROP TABLE users; what is medical massage?") == ["DROP TABLE users;", "what is medical massage?"]
    assert question_sentence("'; DROP TABLE users; -- what is medical massage") == "-- what is medical massage"


def test_a_name_like_subject_of_a_yes_no_question_is_the_ask_however_little_it_moves_the_message():
    """"Does workers comp pay for medical massage?": the rest of the question (pay, medical massage) still says
    most of what it said without "workers", yet the payer asked about is the whole ask. Only a word like a
    name (its closest corpus words are names: a payer, a body, a program): "can *students* count the classes
    toward graduation?" asks about people the sources do speak of, in other words."""
    assert asked_subject("can a nurse practitioner write the prescription?", ["nurse", "write"]) == {"nurse"}
    assert asked_subject("do personal trainers need a massage license?", ["personal", "trainers"]) == {"personal", "trainers"}
    assert asked_subject("does every organization define it the same way?", ["every"]) == set()   # a stop word
    assert asked_subject("is a prescription enough?", ["enough"]) == set()
    assert asked_subject("can i bill workers comp?", ["workers"]) == set()                       # "I" is asked about
    statement = "For insurance to cover medical massage, it needs to be prescribed by an acting physician."
    workers = Term("workers", nearest="labor", nearest_similarity=0.68, shift=0.026, domain=0.08, name_like=True,
                   in_passage=0.39)
    assert judge(_evidence(statement, workers), THRESHOLDS).verdict == "answer"
    assert judge(_evidence(statement, replace(workers, subject=True)), THRESHOLDS).verdict != "answer"
    students = Term("students", nearest="schools", nearest_similarity=0.63, shift=0.02, domain=0.16, in_passage=0.6,
                    subject=True)
    assert judge(_evidence(statement, students), THRESHOLDS).verdict == "answer"
    said = replace(workers, subject=True, in_passage=0.9)  # unless the passages say it in other words
    assert judge(_evidence(statement, said), Thresholds(word_in_passage=0.6)).verdict == "answer"


@pytest.mark.parametrize("sentence, offered", [
    ("Was he a doctor or a massage therapist?", (("doctor", "doctor"), ("therapist", "massage therapist"))),
    ("can i take the courses online or do i have to go in person", (("online", "online"), ("person", "person"))),
    ("is it 30, 60 or 90 minutes?", (("60", "60"), ("minutes", "90 minutes"))),
    ("is the doctor physician or the nurse the one who writes it?", (("doctor", "doctor"), ("nurse", "nurse"))),
    ("is it a good career or not?", ()),
    ("can an RMP work in a hospital or other medical setting?", ()),  # the kind the first belongs to: no choice
    ("is it covered by Aetna or any insurer?", ()),
    ("do I need a license?", ()),
])
def test_the_alternatives_a_question_offers_are_named_by_their_words(sentence, offered):
    # "doctor physician" is the glossary's word put beside the user's: the user's word names the alternative.
    from assistant.decision import offered_alternatives
    assert offered_alternatives(sentence) == offered


def test_a_choice_is_refused_when_no_passage_says_any_of_its_alternatives():
    evidence = _evidence("The term medical massage was coined by an American, Pete Sparring, in 1997.",
                         Term("sparring", shift=0.0))
    said = judge(replace(evidence, alternatives=("doctor", "therapist"), alternative_said=True), THRESHOLDS)
    unsaid = judge(replace(evidence, alternatives=("doctor", "therapist"), alternative_said=False), THRESHOLDS)
    assert said.verdict == "answer", said.reason
    assert unsaid.refused and unsaid.missing == ["choice"], unsaid.reason


def test_english_names_some_kinds_in_several_words():
    """WordNet's nouns of several words ("physical therapist", "car insurance") are found where typed, longest
    first; a run whose last word is mostly a verb in English is no such name ("the training *set* me back")."""
    assert compounds_in("can physical therapists bill for it".split()) == [(1, 3)]
    assert compounds_in("will my car insurance pay".split()) == [(2, 4)]
    assert compounds_in("can a registered nurse practitioner write it".split()) == [(2, 4)]
    assert compounds_in("what would the training set me back".split()) == []
    assert compounds_in("who gives medical massage credentials".split()) == []  # not "giving medication"
    # A kind of what its last word names ("car insurance" is insurance); "insurance policy" is a contract,
    # "medical school" a graduate school: the user's insurance, a school, not a kind the sources leave out.
    assert compounds_in("does my insurance policy cover it".split()) == []
    assert compounds_in("is a medical school needed".split()) == []
    assert compounds_in("do i need a license".split()) == []


def test_a_kind_named_in_several_words_the_corpus_never_writes_is_measured_as_one_word():
    """"Can a physical therapist bill for medical massage?": both words are the corpus's ("physical maladies",
    "massage therapists"), so neither was measured, and the question was answered with medical massage
    therapists' billing. The run is measured as one word; the corpus writes "health insurance", so that is not."""
    vocabulary = Vocabulary.from_texts(["Medical massage aims at physical maladies. Massage therapists bill "
                                        "health insurance companies. Car accidents cause injuries. They registered it."])
    decider = Decider(vocabulary, term_weight=lambda t: 1.0, term_in_corpus=vocabulary.in_corpus,
                      embed=None, nearest_terms=None, thresholds=THRESHOLDS)
    question = "can a physical therapist bill health insurance for it?"
    probes = decider.probes(question, question)
    assert probes.compounds == ["physical therapist"] and "physical therapist" in probes.words
    assert "can a bill health insurance for it?" in probes.texts
    nurse = "can a registered nurse bill for it?"  # "nurse" is no corpus word: measured alone and in its run
    assert decider.probes(nurse, nurse).words == ["nurse", "registered nurse"]
    asked = "will my car auto insurance pay for it?"  # the glossary's word put beside the user's
    assert decider.probes(asked, asked).in_text == {"car insurance": "car auto insurance"}
    assert "will my pay for it?" in decider.probes(asked, asked).texts
    assert asked_subject(question, ["physical therapist"]) == {"physical therapist"}
    assert asked_subject(asked, ["car insurance"], {"car insurance": "car auto insurance"}) == {"car insurance"}
    assert asked_subject("can i bill car auto insurance?", ["car insurance"], {"car insurance": "car auto insurance"}) \
        == set()  # "I" is asked about


def test_a_kind_named_in_several_words_asked_about_is_the_ask():
    """As the subject of a yes/no question, such a run is the ask, as a name is, however little dropping it moves
    the question; elsewhere it is held to the bar of a word of the subject's domain, not that of a run."""
    statement = "Sometimes medical massage therapists may also be responsible for billing health insurance companies."
    physical = Term("physical therapist", shift=0.05, domain=0.53, compound=True)
    assert judge(_evidence(statement, physical), THRESHOLDS).verdict == "answer"
    assert judge(_evidence(statement, replace(physical, subject=True)), THRESHOLDS).verdict != "answer"
    assert judge(_evidence(statement, replace(physical, shift=0.09)), THRESHOLDS).verdict != "answer"
    assert judge(_evidence(statement, replace(physical, shift=0.09, compound=False)), THRESHOLDS).verdict == "answer"
    # A kind of what the sources speak of is of their domain, however far MiniLM puts it from the corpus's direction.
    liability = Term("liability insurance", shift=0.22, domain=0.13, compound=True)
    assert judge(_evidence(statement, liability), THRESHOLDS).verdict != "answer"
    assert judge(_evidence(statement, replace(liability, compound=False)), THRESHOLDS).verdict == "answer"


def test_can_i_asks_about_who_the_user_says_they_are():
    """"I'm a registered nurse. Can I do medical massage?" asks what a registered nurse may do: the story says who
    "I" is, so that is the subject asked about (and the question is not read without its story)."""
    said = "im a registered nurse. can i do medical massage on my patients?"
    assert who_asks("can i do medical massage on my patients?", said) == "registered nurse"
    assert asked_subject("can i do medical massage on my patients?", ["nurse", "registered nurse"], {}, said) \
        == {"nurse", "registered nurse"}
    assert who_asks("does insurance pay?", said) is None          # not a question about "I"
    assert who_asks("can i bill for it?", "my sister is a nurse. can i bill for it?") is None
    assert asked_subject("can i bill for it?", ["nurse"]) == set()


def test_a_word_the_best_passage_answers_the_question_without_is_an_ask_it_lacks():
    """"are there online courses?": the passage about courses comes closer in meaning when "online" is left out
    (nearly by the word's whole shift), so it answers the question without it. Measured on single words; a run
    of words left out together ("DROP TABLE feedback") moves any question further and is held to the bars."""
    t = replace(THRESHOLDS, closer_without=0.075)
    online = Term("online", nearest="available", nearest_similarity=0.6, shift=0.09, domain=0.0, closer_without=0.097)
    assert judge(_evidence("There are courses and certification programs for medical massage.", online), t).missing == ["online"]
    said = replace(online, closer_without=0.02)  # the passage says something of it: it pulls the question its way
    assert judge(_evidence("There are courses and certification programs for medical massage.", said), t).verdict == "answer"
    run = Term("drop table feedback", nearest="assessment", nearest_similarity=0.27, shift=0.21, domain=0.0, closer_without=0.10)
    assert judge(_evidence("Medical massage aims to provide relief.", run), t).verdict == "answer"


def test_the_last_word_of_a_yes_no_question_is_held_to_a_lower_closer_without_bar():
    """English puts what a yes/no question asks at its end: "can I take the MMPA course *online*?" asks whether of
    "online"; a word the passage answers the question without is an ask it lacks at a smaller gain there."""
    t = replace(THRESHOLDS, closer_without=0.075, closing_closer_without=0.035)
    statement = "You can take a specific certification program through an organization like the MMPA."
    online = Term("online", nearest="available", nearest_similarity=0.63, shift=0.05, domain=0.0, closer_without=0.045)
    assert judge(_evidence(statement, online), t).verdict == "answer"
    assert judge(_evidence(statement, replace(online, closes=True)), t).missing == ["online"]
    assert judge(_evidence(statement, replace(online, closes=True, closer_without=0.02)), t).verdict == "answer"


@pytest.mark.parametrize("question, closing", [
    ("can i take the mmpa medical massage course online", "online"),
    ("Can I complete the MMPA certification remotely? I work full time.", "remotely"),  # the asking sentence's
    ("what courses are online?", None),                 # no yes/no question: its end is not what it asks
    ("can i take it online from home??", "home"),
    ("Is that normal?", None),                          # names nothing else: a judgement of the story before it
])
def test_which_word_closes_a_yes_no_question(question, closing):
    from assistant.decision import closing_word
    assert closing_word(question_sentence(question)) == closing


def test_what_a_faq_entry_says_is_what_a_word_left_out_is_measured_against():
    """A FAQ question is worded like a user's: "can I print ... on my business cards?" comes closer to "Can I call
    myself ... on my business cards?" without "print", as it would without any ask the entry lacks. What the entry
    says (its best sentence retrieved) is what the word is measured against."""
    import numpy as np

    def unit(text, role, vector, doc="faq-1"):
        hit = RetrievedChunk(doc=Document(page_content=text, metadata={"kind": "faq"}, id=doc), score=1.0, dense=0.8)
        return ScoredUnit(Unit(text, hit, 0, role=role, similarity=0.8, vector=np.asarray(vector, dtype=float)),
                          score=0.7, coverage=0.6)

    typed = np.array([1.0, 0.0, 0.0])
    without = np.array([0.9, 0.436, 0.0])
    question = unit("Can I call myself a medical massage therapist on my business cards?", "question", [0.8, 0.6, 0.0])
    says = unit("Many therapists title themselves that way.", "text", [1.0, 0.0, 0.0])
    other = unit("Maryland is an exception.", "text", [0.0, 1.0, 0.0], doc="faq-2")
    term = Term("print", shift=0.1, without=without)
    Decider._closer_without(Evidence(top_similarity=0.8, units=[question, other, says], terms=[term]), typed)
    assert term.closer_without == round(0.9 - 1.0, 4)  # against the entry's sentence, not its question or another entry
    alone = Term("print", shift=0.1, without=without)
    Decider._closer_without(Evidence(top_similarity=0.8, units=[question], terms=[alone]), typed)
    assert alone.closer_without == round(0.9 * 0.8 + 0.436 * 0.6 - 0.8, 4)  # no sentence of it retrieved: its question


def test_a_what_question_answered_by_a_yes_no_entry_opens_with_the_what_entry_that_names_more_of_it():
    """"What kind of education do licensing rules expect?" is closest in meaning to "Do they need a license?"; the
    entry asking "What do licensing rules expect me to know?" names more of its words and asks what it asks. A "what"
    entry naming no more of them ("What credentials can I get?" for "what license do i need?") does not take over."""
    from assistant.compose import _asked_the_same_way

    def faq(text, score, coverage, doc):
        hit = RetrievedChunk(doc=Document(page_content=text, metadata={"kind": "faq"}, id=doc), score=1.0, dense=0.8)
        return ScoredUnit(Unit(text, hit, 0, role="question", similarity=score), score=score, coverage=coverage)

    yes_no = faq("Do massage therapists need a license?", 0.76, 0.41, "a")
    what = faq("What do state licensing requirements expect me to know?", 0.69, 0.81, "b")
    decision = Decision("answer", "answered", Evidence(top_similarity=0.8, units=[yes_no, what]), lead=yes_no)
    question = "what kind of education do state licensing requirements expect?"
    assert _asked_the_same_way(decision, question, yes_no) is what
    fewer = replace(what, coverage=0.3)
    decision = Decision("answer", "answered", Evidence(top_similarity=0.8, units=[yes_no, fewer]), lead=yes_no)
    assert _asked_the_same_way(decision, question, yes_no) is yes_no
    how = faq("How long is the training and what does it cost?", 0.76, 0.41, "c")  # a wh-question's entry may give a "what"
    decision = Decision("answer", "answered", Evidence(top_similarity=0.8, units=[how, what]), lead=how)
    assert _asked_the_same_way(decision, question, how) is how


@pytest.mark.parametrize("question, kind", [
    ("is the mmpa program expensive?", "amount"),
    ("how pricey is the mmpa program", "amount"),
    ("is mmpa training affordable", "amount"),
    ("can i afford the mmpa course on a budget", "amount"),
    ("How much is this field expected to grow?", "quantity"),  # "is" is no copula: how much of growth, not a price
    # said in the story, not asked: the question asks whether a claim is true
    ("A school is advertising a certification. It's pretty expensive, so before I sign up: is that actually true?", "verdict"),
])
def test_asking_whether_it_is_expensive_asks_the_price(question, kind):
    from assistant.decision import asked_type

    assert asked_type(question) == kind
