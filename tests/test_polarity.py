"""When a yes/no question gets "Yes." or "No.", and when it must get neither."""

import re

import pytest

from assistant.decision import Term
from assistant.polarity import Entry, Polarity, asking_clause
from assistant.text import negated, stem

POLARITY = Polarity(subject="medical massage therapy")
TECHNIQUES = ("It uses clinical techniques, including myofascial treatments, deep tissue massage, cross fibre "
              "friction and trigger point technique.")
CONDITIONS = "It can treat carpal tunnel syndrome, sciatica, back and neck pain and migraines."


@pytest.mark.parametrize("question, text, opener", [
    # The clause that names what is asked is affirmative: yes; negated: no.
    ("do i need orthopedics training for the nbca exam?",
     "To pass the NBCA exam you need to specify your training with an emphasis on orthopedics.", "Yes."),
    ("does the certification board offer credentials for medical massage therapists?",
     "The certification board offers no credentials for medical massage therapists.", "No."),
    # Words of one family name the same thing: "prescription" and "prescribed".
    ("is a physician's prescription needed?", "The massage needs to be prescribed by a physician.", "Yes."),
    # Not X, but Y: neither.
    ("can I call myself a medical massage therapist?", "There is not an official designation called medical "
     "massage therapist, but many therapists call themselves that way.", ""),
    ("do schools market the certification as a requirement?", "Schools market the certification as a "
     "requirement. However, this is categorically false.", ""),
    # Asked whether a claim is true, and the passage calls it false: no.
    ("my school says its certificate is a legal must. is that accurate?", "Schools market the certification as a "
     "requirement. However, this is categorically false.", "No."),
    ("some schools say their cert is required... legit or not?", "Schools market the certification as a "
     "requirement. However, this is categorically false.", "No."),
    ("is it true that schools market the certification?", "Schools market the certification as a requirement.", "Yes."),
    ("a flyer says their certificate is required to practise. legit?", "Schools market the certification as a "
     "requirement. However, this is categorically false.", "No."),
    # A statement asked back for confirmation asks whether it holds.
    ("so it's a pretty new field then?", "As a field of study it is relatively new.", "Yes."),
    ("so that means a prescription is needed?", "The massage needs to be prescribed by a physician.", "Yes."),
    ("mmpa field then?", "As a field of study the MMPA is relatively new.", ""),  # keywords: no statement asked
    # Hedged or conditional: not a plain yes.
    ("do therapists bill insurance companies?", "Sometimes they may bill insurance companies.", ""),
    # A sentence about finding out whether: "You need to discuss ... to determine whether the credits count".
    ("will the class count toward my graduation?", "You will need to discuss the class with your school to "
     "determine whether the course credits count toward your graduation.", ""),
    ("will insurance cover the treatment?", "For insurance to cover the treatment, a physician must prescribe it.", ""),
    # The passage does not name everything asked ("hospitals" is not "clinics").
    ("can therapists work in clinics?", "Therapists work in hospitals.", ""),
    # One word in common says what a passage is about, not what it says of it.
    ("is it the same as a regular massage?", "I had only heard of regular massage.", ""),
    # A relation the passage does not state: "before" vs "already".
    ("can I attend the school before I'm licensed?", "You need to be licensed already to attend the school.", ""),
    # Asked the other way round, or with alternatives: no plain yes or no.
    ("can I attend the school without a license?", "You can attend the school with a license.", ""),
    ("is the school licensed or certified?", "The school is licensed and certified.", ""),
    # An enumeration written out in a sentence is a list: it says yes to what it names.
    ("does it treat tennis elbow?", "It can treat carpal tunnel syndrome, sciatica, muscle cramps, "
     "repetitive use injuries such as tennis elbow and migraines.", "Yes."),
    ("does it treat depression?", "It can treat carpal tunnel syndrome, sciatica, muscle cramps and migraines.", ""),
    # A list that includes a thing does not say the subject is "the same as" it.
    ("is it the same as deep tissue massage?", TECHNIQUES, ""),
    ("is it basically just deep tissue massage?", TECHNIQUES, ""),
    # A list holds things named by their word: "painful" is not an item "back and neck pain".
    ("is it painful?", CONDITIONS, ""),
    ("does it help with neck pains?", CONDITIONS, "Yes."),
    # What asks whether a thing is in the list ("part of", "among") is no thing the list must name.
    ("is cross fibre friction part of medical massage?", TECHNIQUES, "Yes."),
    ("is reflexology part of medical massage?", TECHNIQUES, ""),
    # Another kind of the subject: what traditional massage does not do says nothing of medical massage.
    ("does medical massage diagnose problems?", "Traditional massage therapy does not attempt to diagnose problems.", ""),
    ("do doctors refer patients to massage therapists?", "Licensed medical massage therapists use referrals "
     "provided by doctors to treat patients.", "Yes."),
    ("do you need to be licensed to attend a medical massage therapy school?", "You need to be a licensed, "
     "practising massage therapist to attend a medical massage therapy school.", "Yes."),
    # Not a yes/no question.
    ("what does the school need?", "The school needs a license and a certificate.", ""),
])
def test_a_statement_answers_yes_or_no_only_when_it_plainly_says_what_was_asked(question, text, opener):
    assert POLARITY.opener(question, text) == opener


def test_a_quantifier_the_passage_does_not_state_takes_the_yes_away():
    # "everywhere" is a word no passage has, so it names nothing a passage must contain; it is not "in most states".
    polarity = Polarity(subject="medical massage therapy", in_corpus=lambda term: term != "everywher")
    text = "The program is accepted in most states."
    assert polarity.opener("is the program accepted everywhere?", text) == ""
    assert polarity.opener("is the program accepted in most states?", text) == "Yes."


def test_a_word_the_corpus_lacks_counts_as_the_corpus_word_that_means_the_same():
    question, text = "does a doctor sign the prescription?", "A physician needs to sign the prescription."
    assert POLARITY.opener(question, text, [Term("doctor", nearest="physician", nearest_similarity=0.8)]) == "Yes."
    # The word it means must be there too ...
    assert POLARITY.opener(question, text, [Term("doctor", nearest="patient", nearest_similarity=0.8)]) == ""
    # ... while a word no corpus word means was judged phrasing by the decision, or it would not answer.
    assert POLARITY.opener(question, text, [Term("doctor", nearest="patient", nearest_similarity=0.5)]) == "Yes."


LICENSE = Entry("Do medical massage therapists need a license?",
                "Yes. In most states massage therapists are licensed professionals.", 0.0)
SEPARATE = Entry("Is there a separate license for medical massage?",
                 "No. In most states there is a general license for all massage therapists.", 0.0)


def test_a_faq_yes_or_no_answers_only_its_own_question():
    assert POLARITY.keeps_faq_opener("do therapists need a license?", LICENSE)
    # Names what the entry does not: another question.
    assert not POLARITY.keeps_faq_opener("do massage therapists need a license for the exam?", LICENSE)
    # ... unless the two questions are close in meaning, as measured by their vectors.
    assert POLARITY.keeps_faq_opener("do massage therapists need a license for the exam?", LICENSE._replace(similarity=0.9))
    # Asked the other way round, or not a yes/no question at all.
    assert not POLARITY.keeps_faq_opener("can therapists work without a license?", LICENSE._replace(similarity=0.9))
    assert not POLARITY.keeps_faq_opener("what license do therapists need?", LICENSE._replace(similarity=0.9))
    # A relation the entry does not state: "enough" is not "needed".
    assert not POLARITY.keeps_faq_opener("do therapists need just a license, is that enough?", LICENSE._replace(similarity=0.9))
    # What the question says holds already is no thing it asks: going back to school, not a license.
    assert not POLARITY.keeps_faq_opener("do i need to go back to school if im already licensed",
                                         LICENSE._replace(similarity=0.9))
    assert POLARITY.keeps_faq_opener("do i need a license if im doing massage", LICENSE._replace(similarity=0.9))


def test_a_faq_yes_or_no_is_not_said_when_another_entry_it_may_be_asking_answers_the_other_way():
    question = "do I need some kind of license?"  # close in meaning to both entries' questions
    separate, license_ = SEPARATE._replace(similarity=0.8), LICENSE._replace(similarity=0.8)
    assert POLARITY.keeps_faq_opener(question, separate)
    assert not POLARITY.keeps_faq_opener(question, separate, [license_])
    # An entry it is not asking does not count against it.
    assert POLARITY.keeps_faq_opener("is there a separate license?", SEPARATE, [LICENSE])
    # Nor does one that asks about more than the question ("a separate license") when this one asks
    # about just what it does.
    assert POLARITY.keeps_faq_opener(question, license_, [separate])


def test_a_license_of_the_subject_s_own_is_asked_like_a_separate_one():
    medical, own_practice = "do I need a medical massage license?", "do I need a license for my own medical massage practice?"
    assert POLARITY.same_relations(medical, SEPARATE) and not POLARITY.same_relations(medical, LICENSE)
    # "medical massage practice" names no kind of license.
    assert POLARITY.same_relations(own_practice, LICENSE) and not POLARITY.same_relations(own_practice, SEPARATE)


def test_a_question_that_asks_what_after_a_comma_is_no_yes_no_question():
    assert not POLARITY.asks_yes_no("my clinic wants me to bill insurance, what do I need from the patient?")
    assert POLARITY.asks_yes_no("my clinic wants me to bill insurance, do I need a prescription?")


@pytest.mark.parametrize("question, yes_no", [
    ("do I need a license?", True),
    ("certification needed?", True),                       # a statement asked as a question
    ("I wonder whether I need a certification", True),
    ("wht r the requirments for medical massage", False),  # "what" misspelled: nothing says it asks whether
    ("hey what does a certification cost?", False),        # a greeting, then what
    ("hi, do i need a certification?", True),
    ("could you describe the MMPA's certification program?", False),  # a request, not a whether
    ("can you tell me if I need a license?", True),
    ("medical massage certification requirements", False), # a search, not a question
    ("will insurance pay me directly or does the patient get the money?", False),  # two questions to choose from
    ("does insurance cover medical massage or not?", True),
    ("is medical massage something insurance will pay for, or is that a myth?", True),  # the same question turned round
    ("should i get certified anyway?", False),               # advice: what is required is no yes or no to it
    ("should medical massage therapists follow state laws?", True),
])
def test_a_question_asks_whether_only_when_something_says_so(question, yes_no):
    assert POLARITY.asks_yes_no(question) is yes_no


def test_a_misspelled_what_question_gets_no_yes_or_no(assistant):
    answer = assistant.ask("wht r the requirments for medical massage")
    assert not re.match(r"\W*(Yes|No)\b", answer.answer), answer.answer


def test_a_sentence_that_only_names_who_is_asked_about_gives_no_yes_or_no():
    names = Polarity(subject="medical massage therapy", is_name=lambda w: w in {"maryland", "registered", "practitioners"})
    text = "Maryland distinguishes Registered Massage Practitioners from Licensed Massage Therapists."
    assert names.opener("can registered massage practitioners do medical massage in maryland?", text) == ""
    # A thing beyond the names is named, and said: a plain yes.
    assert names.opener("do registered massage practitioners work in maryland hospitals?",
                        "Registered Massage Practitioners work in Maryland hospitals.") == "Yes."


def test_no_yes_for_an_rmp_doing_medical_massage_in_maryland(assistant):
    answer = assistant.ask("can an rmp do medical massage in maryland?")
    assert not re.match(r"\W*Yes\b", answer.answer) and "Only Licensed Massage Therapists" in answer.answer


def test_a_list_that_does_not_name_what_is_asked_says_so():
    anxiety = Term("anxiety", nearest="concerns", nearest_similarity=0.5, shift=0.15)
    assert POLARITY.unlisted("does it help with anxiety?", CONDITIONS, [anxiety]) == ["anxiety"]
    # Named by the list: it says "Yes." instead; not a yes/no question, or not a list: nothing to say.
    assert POLARITY.unlisted("does it help with migraines?", CONDITIONS) == []
    assert POLARITY.unlisted("what does it help with, anxiety?", CONDITIONS, [anxiety]) == []
    assert POLARITY.unlisted("does it help with anxiety?", "It aims to relieve patients.", [anxiety]) == []
    # A word a corpus word means the same as is no word the list lacks.
    doctor = Term("doctor", nearest="physician", nearest_similarity=0.8, shift=0.1)
    assert POLARITY.unlisted("does it help a doctor?", CONDITIONS, [doctor]) == []


def test_a_request_gets_no_note_about_a_list(assistant):
    answer = assistant.ask("Could you describe the certification program offered by the Medical Massage "
                           "Practitioners of America?")
    assert "list does not name" not in answer.answer and not re.match(r"\W*(Yes|No)\b", answer.answer), answer.answer


@pytest.mark.parametrize("question", ["does medical massage help with anxiety?", "so does medical massage help with insomnia?"])
def test_a_condition_the_list_does_not_name_is_refused_with_the_list_offered(assistant, question):
    """The list of conditions answers the question without the condition (MiniLM puts it closer once the word is
    left out), so it is an ask the sources lack: said first, with the list under what the sources do say, and
    never a "Yes"."""
    answer = assistant.ask(question)
    word = question.split()[-1].rstrip("?")
    assert answer.refused and answer.answer.startswith(f"*My sources don't cover “{word}”"), answer.answer
    assert "carpal tunnel" in answer.answer.lower() and not re.search(r"\bYes\b", answer.answer)


def test_a_question_about_another_or_a_separate_thing_asks_only_an_entry_that_asks_about_one():
    close = LICENSE._replace(similarity=0.9)
    # "special", "another", "extra" ask what "separate" asks; the license entry asks none of it ...
    for question in ("is there a special license for medical massage?", "do I need another license?",
                     "do I need an extra license for medical massage?", "does medical massage have its own license?",
                     "is a medical massage license different from a massage license?",
                     "is there a license just for medical massage?", "do states issue licenses specifically for medical massage?"):
        assert not POLARITY.asks(question, close), question
        assert POLARITY.asks(question, SEPARATE._replace(similarity=0.9)), question
    # ... and a question that does not ask about another one is still either entry's.
    assert POLARITY.asks("do I need a license for my own practice?", close)
    assert POLARITY.asks("do I need a license?", SEPARATE._replace(similarity=0.9))


def test_a_question_close_in_meaning_asks_an_entry_only_when_the_entry_says_what_it_names():
    courses = Entry("Can I take medical massage courses without getting certified?",
                    "Yes. You can take courses in medical massage without a certification in it.", 0.8)
    assert POLARITY.asks("can I take the courses without being certified?", courses)
    # As close in shape, about other things: a school and a license are not courses and a certification.
    assert not POLARITY.asks("can I go to a medical massage school without being licensed?", courses)
    # What it is done without decides the answer: without a license is not without a certification.
    assert not POLARITY.asks("can I take medical massage courses without being licensed?", courses)
    assert not POLARITY.asks("are medical massage courses open to people without a massage license?", courses)
    assert POLARITY.asks("can I take medical massage courses without a certificate?", courses)
    # A word of the subject every entry shares is no thing in common: a title is not a license.
    assert not POLARITY.asks("is medical massage therapist a protected title?", LICENSE._replace(similarity=0.75))


def test_a_question_in_its_words_may_name_what_the_entry_s_answer_says():
    prescription = Entry("Does insurance need a prescription before it pays?",
                         "Yes. The massage needs to be prescribed by a physician.", 0.7)
    assert POLARITY.asks("does insurance need a physician's prescription?", prescription)
    assert not POLARITY.asks("does insurance need a treatment plan?", prescription)


def test_a_question_in_the_entry_s_own_words_asks_it_when_the_entry_s_question_names_all_it_names():
    assert POLARITY.keeps_faq_opener("is there a separate license?", SEPARATE)
    assert POLARITY.keeps_faq_opener("certification needed?", Entry("Do I need a special certification?", "No. It is not.", 0.0))
    assert not POLARITY.keeps_faq_opener("is a separate license needed for the exam?", SEPARATE)
    # One word in common ("license") says what a question is about, not which of the entries it asks.
    assert not POLARITY.keeps_faq_opener("is there a license?", SEPARATE)


@pytest.mark.parametrize("question, wrong", [
    ("is a treatment plan needed for reimbursement?", r"No\b"),    # not "do all insurers have the same requirements?"
    ("is medical massage the same as a regular massage?", r"Yes\b"),  # a reader's story says neither
    ("can I go to a medical massage school before I'm licensed", r"Yes\b"),
    ("can I go to a medical massage school without being licensed?", r"Yes\b"),  # not the courses entry's "Yes."
    ("is medical massage therapist a protected title?", r"Yes\b"),  # not the license entry's "Yes."
    ("can anyone attend a medical massage school?", r"No\b"),  # not "Is a massage training center a medical school?"
    # "dont" typed without its apostrophe still denies: not the "will insurance pay?" entry's "Yes."
    ("will insurance pay for medical massage if i dont have a prescription?", r"Yes\b"),
])
def test_no_wrong_yes_or_no(assistant, question, wrong):
    answer = assistant.ask(question)
    assert not re.match(rf"\W*{wrong}", answer.answer), answer.answer


@pytest.mark.parametrize("question, opener", [
    ("do i need orthopedics training for the nbca exam?", "Yes"),
    ("do medical massage therapists get their patients through physician referrals?", "Yes"),
    ("can it help with tennis elbow?", "Yes"),   # named in the second sentence of the FAQ's list
    ("does insurance need a doctor's prescription?", "Yes"),  # "physician" is in the entry's answer, not its question
])
def test_a_yes_no_question_a_passage_answers_plainly_gets_yes_or_no(assistant, question, opener):
    answer = assistant.ask(question)
    assert re.match(rf"{opener}\b", answer.answer), answer.answer


@pytest.mark.parametrize("question, opener, said", [
    ("is there a special license for medical massage therapists?", "No", "general license"),
    ("do I have to get another license for medical massage?", "No", "general license"),
    ("do I need a medical massage license?", "No", "general license"),
    ("do I need some sort of license to do medical massage?", "Yes", "licensed professionals"),
])
def test_of_two_near_tied_faq_entries_the_one_whose_question_is_asked_answers(assistant, question, opener, said):
    # About as close to "Do medical massage therapists need a license?" (Yes) as to "Is there a
    # separate license?" (No): the one asked about the same thing answers, with its Yes or No.
    answer = assistant.ask(question)
    assert re.match(rf"{opener}\b", answer.answer) and said in answer.answer.split("[")[0], answer.answer


def test_a_preposition_is_not_a_thing_a_faq_entry_must_name(assistant):
    # "toward" is how the question is put, like "to": the continuing-education entry answers it.
    previous = "tell me about medical massage courses"
    first = assistant.ask(previous)
    history = [{"role": "user", "content": previous}, {"role": "assistant", "content": first.answer}]
    answer = assistant.ask("can they count toward my CEUs?", history)
    assert re.match(r"Yes\b", answer.answer) and "continuing education" in answer.answer, answer.answer


def test_a_follow_up_yes_no_question_is_matched_to_the_faq_by_what_the_user_typed(assistant):
    previous = "do medical massage therapists need a license?"
    first = assistant.ask(previous)
    history = [{"role": "user", "content": previous}, {"role": "assistant", "content": first.answer}]
    # Joined to the previous question it is as close to the license entry (Yes) as to this one (No).
    answer = assistant.ask("is it a separate license?", history)
    assert re.match(r"No\b", answer.answer), answer.answer


def test_a_word_no_passage_says_takes_the_yes_away_unless_the_question_is_the_entry_s_in_other_words():
    """"Does workers comp pay for medical massage?" is not answered yes by a passage about insurance
    paying for it: "workers" is asked, and nothing says it. "Are reimbursement requirements uniform
    across insurers?" is the FAQ's "Do all insurance companies have the same requirements?" in other
    words (close in meaning): its "No." stays, though no passage says "uniform"."""
    polarity = Polarity(subject="medical massage therapy", matters_shift=0.05, word_in_passage=0.6)
    workers = Term("workers", nearest="labor", nearest_similarity=0.68, shift=0.055)
    text = "Insurance pays for medical massage when a physician prescribes it."
    assert polarity.opener("does workers comp pay for medical massage?", text, [workers]) == ""
    assert polarity.opener("does insurance pay for medical massage?", text, []) == "Yes."
    # A word that barely moves the question is phrasing; one the passages say in other words is said.
    sessions = Term("sessions", nearest="relaxation", nearest_similarity=0.51, shift=0.044)
    assert polarity.opener("does insurance pay for medical massage sessions?", text, [sessions]) == "Yes."
    said = Term("workers", nearest="labor", nearest_similarity=0.68, shift=0.055, in_passage=0.7)
    assert polarity.opener("does workers insurance pay for medical massage?", text, [said]) == "Yes."
    assert polarity.opener("does workers insurance pay for medical massage?", text, [workers]) == ""

    entry = Entry("Does insurance pay for medical massage?", "Yes. Insurance pays when a physician prescribes it.", 0.6)
    assert not polarity.keeps_faq_opener("does workers comp pay for medical massage?", entry, [], [workers])
    assert polarity.keeps_faq_opener("does insurance pay for medical massage?", entry, [], [])
    uniform = Term("uniform", nearest="credentials", nearest_similarity=0.46, shift=0.053)
    same = Entry("Do all insurance companies have the same requirements?", "No. Different insurers differ.", 0.86)
    assert polarity.keeps_faq_opener("are requirements uniform across insurers?", same, [], [uniform])


def test_a_relation_both_questions_ask_counts_as_a_thing_named():
    """"Do all insurers want the same thing?" asks the FAQ's "Do all insurance companies have the
    same requirements?" in its words: insurers, all, the same. One word in common would not do."""
    entry = Entry("Do all insurance companies have the same requirements for reimbursement?",
                  "No. Different insurance companies have different requirements.", 0.70)
    assert POLARITY.keeps_faq_opener("do all insurers want the same thing?", entry)
    assert not POLARITY.keeps_faq_opener("do insurers want a thing?", entry)


@pytest.mark.parametrize("question", ["does every insurance company have the same requirements?",
                                      "are the requirements identical for every insurance company?"])
def test_words_for_one_relation_ask_it_alike(question):
    """"every" and "each" ask what "all" does: the entry's "No." answers them (they were asked a relation
    the entry lacked, and got no "No.")."""
    entry = Entry("Do all insurance companies have the same requirements for reimbursement?",
                  "No. Different insurance companies have different requirements.", 0.70)
    assert POLARITY.keeps_faq_opener(question, entry)
    assert not POLARITY.keeps_faq_opener("is every insurer different before a prescription?", entry)


@pytest.mark.parametrize("question", ["is there a separate license or not?", "I wonder whether or not I need a license"])
def test_or_not_asks_whether_and_denies_nothing(question):
    assert not negated(question)
    assert negated("is a license not needed?")


def test_a_question_offering_two_questions_gets_no_yes_or_no(assistant):
    answer = assistant.ask("will insurance reimburse me directly or does the patient get the money")
    assert not re.match(r"\W*(Yes|No)\b", answer.answer)


def test_what_a_yes_no_question_asks_about_is_in_its_asking_clause():
    assert asking_clause("im already an LMT, do i have to go back to school?").strip() == "do i have to go back to school?"
    assert asking_clause("do I need a license, and is it expensive?") == "do I need a license, and is it expensive?"
    assert "lmt" not in POLARITY.named("im already an LMT, do i have to go back to school?")


def test_who_asks_is_not_what_is_asked(assistant):
    # "LMT" before the comma is said by the license entry ("licensed"); going back to school is not.
    answer = assistant.ask("im already an LMT, do i have to go back to school to do medical massage?")
    assert not re.match(r"\W*Yes\b", answer.answer)
    assert re.search(r"school", answer.answer.split("[1]")[0], re.I)


def test_advice_asked_gets_no_yes_or_no_from_what_is_required(assistant):
    answer = assistant.ask("should i get certified anyway")
    assert not answer.refused and not re.match(r"\W*(Yes|No)\b", answer.answer)


@pytest.mark.parametrize("denies, affirms", [
    ("if i dont have a prescription", "if i do have a prescription"),
    ("it doesnt say", "it does say"),
    ("i cant afford it", "i can afford it"),
    ("it isnt required", "it is required"),
    ("you wont need one", "you will need one"),
])
def test_a_contraction_typed_without_its_apostrophe_is_a_negation(denies, affirms):
    assert negated(denies) and not negated(affirms)


@pytest.mark.parametrize("question", ["is a prescription optional?", "is a treatment plan unnecessary?",
                                      "is certification voluntary or required?"])
def test_a_word_meaning_not_needed_denies(question):
    assert negated(question)
    assert not negated("is a prescription needed?")


def test_a_faq_list_names_things_in_its_question_too():
    """"is sciatica among the conditions it treats?" of "What conditions can medical massage treat?": the
    entry's answer names sciatica, its question the conditions."""
    answer = "Medical massage can generally treat carpal tunnel syndrome, sciatica, back and neck pain and migraines."
    question = "is sciatica among the conditions it treats?"
    assert POLARITY.listed(question, answer, heading="What conditions can medical massage treat?") == "Yes."
    assert POLARITY.listed(question, answer) == ""


def test_a_corpus_word_negated_by_its_prefix_denies():
    """"can unlicensed therapists do medical massage?" got the license entry's "Yes." (MiniLM puts "unlicensed"
    beside "licensed"): a prefix that negates a word the corpus uses denies as "not" does; a word the corpus
    itself uses ("insurance") or whose rest it does not ("understand") is no such negation."""
    corpus = {stem(w) for w in ("licensed", "certified", "insurance", "understand", "pay")}
    polarity = Polarity(subject="medical massage therapy", in_corpus=lambda term: term in corpus)
    assert polarity.denies("can unlicensed therapists do medical massage?")
    assert polarity.denies("is a non-certified therapist allowed to bill?")
    assert not polarity.denies("do insurers understand it?") and not polarity.denies("do insurers pay?")
    entry = Entry("Do medical massage therapists need a license?", "Yes. In most states they are licensed.", 0.9)
    assert not polarity.asks("can unlicensed therapists do medical massage?", entry)
