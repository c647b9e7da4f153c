"""Attribute questions answered from program facts: the named program's current figure first."""

from __future__ import annotations

import io

import pytest

from bot.adapters.terminal import run_chat
from bot.conversation.access import AccessRules
from bot.conversation.service import ConversationService
from bot.core import facts
from bot.core.bot import Bot
from bot.core.knowledge import Knowledge
from bot.core.reply import Message, Reply
from bot.core.store import KnowledgeStore
from bot.core.subject import Subject
from bot.render.text import render_text


def _ask(bot: Bot, text: str) -> Reply:
    return bot.handle(Message(text=text, user_id="U1", platform="slack"))


@pytest.fixture(name="knowledge")
def _knowledge(bundled_store: KnowledgeStore) -> Knowledge:
    return bundled_store.current.knowledge


def test_price_without_a_program_asks_which_and_each_choice_answers_it(bot: Bot) -> None:
    """'How much does the certification cost?' asks which one; a choice re-asks for it."""
    reply = _ask(bot, "How much does the certification cost?")
    assert reply.kind == "clarify"
    assert reply.attribute == "price"
    text = render_text(reply)
    assert not text.startswith("Our sources do not give")
    choices = [a for a in reply.actions if a.kind == "ask"]
    assert [a.label for a in choices][:1] == ["FinOps Certified Practitioner (FOCP)"]
    assert "  1. FinOps Certified Practitioner (FOCP)" in text
    # The programs without a price are named, not offered as choices.
    assert "Certified FinOps Architect" in text
    assert "Certified FinOps Architect" not in [a.label for a in choices]
    knowledge = bot.store.current.knowledge
    for choice in choices:
        answer = bot.choose(choice, Message(text="", user_id="U1"))
        assert answer.kind == "answer"
        assert answer.attribute == "price"
        program = knowledge.programs[answer.program or ""]
        assert program.name == choice.label
        current = next(f for f in program.facts if f.attribute == "price")
        assert answer.sections[0].text.startswith(current.value)


@pytest.mark.parametrize(
    ("text", "attribute"),
    [("how much is it?", "price"), ("price?", "price"), ("is it proctored?", "format")],
)
def test_an_attribute_alone_asks_which_certification(bot: Bot, text: str, attribute: str) -> None:
    """ "How much is it?" with nothing before it asks which certification, with choices."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.attribute) == ("clarify", attribute)
    assert "Which certification?" in render_text(reply)
    assert [a for a in reply.actions if a.kind == "ask"]


def test_a_price_of_something_else_does_not_ask_which_certification(bot: Bot) -> None:
    """ "How much does it cost to run a FinOps team?" is not a certification's price."""
    reply = _ask(bot, "how much does it cost to run a finops team?")
    assert reply.kind != "clarify"
    assert reply.attribute is None


def test_the_finops_certification_is_the_usual_one_with_the_others_offered(bot: Bot) -> None:
    """'The FinOps certification' answers for FOCP and offers the other programs to pick."""
    reply = _ask(bot, "how much does the finops cert cost?")
    assert _ask(bot, "how much does finops cost?").program == "focp"
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "focp", "price")
    assert reply.sections[0].text.startswith("US$325 for the exam alone")
    assert "the one most people mean" in render_text(reply)
    choices = [a for a in reply.actions if a.kind == "ask"]
    assert choices
    assert "FinOps Certified Practitioner (FOCP)" not in [a.label for a in choices]
    picked = bot.choose(choices[0], Message(text="", user_id="U1"))
    assert (picked.kind, picked.attribute) == ("answer", "price")
    assert picked.program != "focp"


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        ("FOCP exam length + price pls", ["Price", "Exam length"]),
        ("is the FOCE proctored and can i retake it if i fail?",
         ["Exam format and proctoring", "Retake policy"]),
    ],
)  # fmt: skip
def test_two_attributes_of_one_program_are_both_answered(
    bot: Bot, text: str, headings: list[str]
) -> None:
    """ "FOCP exam length + price pls" answered the price alone (an FAQ per attribute):
    each attribute gets its own part of one reply, from the program's facts."""
    reply = bot.handle(Message(text))
    assert reply.kind == "answer"
    assert [section.heading for section in reply.sections] == headings
    assert reply.data is not None
    assert len(reply.data["attributes"]) == 2


async def test_a_shared_name_after_a_price_asks_both_programs_price(
    bundled_store: KnowledgeStore,
) -> None:
    """ "and the certified finops professional?" after the FCP's price asks the price of
    both FinOpsSchool guides' programs (one line: neither has one), not what the
    certification is."""
    service = ConversationService(Bot(bundled_store), AccessRules())
    msg = {"user_id": "u", "platform": "eval", "place": "t1", "private": True}
    await service.respond(Message("how much is the finops certified professional", **msg))
    reply = await service.respond(Message("and the certified finops professional?", **msg))
    assert reply is not None
    assert (reply.kind, reply.attribute) == ("answer", "price")
    assert reply.data is not None
    assert set(reply.data["programs"]) == {"professional-a", "professional-b"}
    assert len(reply.sections) == 1


def test_focp_passing_score_leads_with_focp_alone(bot: Bot) -> None:
    """One program, its current figure first, the older one in one line, few sources."""
    reply = _ask(bot, "What is the passing score for FOCP?")
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "focp", "pass_mark")
    first, older = reply.sections[0].text.split("\n")
    assert first.startswith("75% (38 of 50 questions)")
    assert older == "Older or conflicting: 70% (older FinOps Foundation page, about 2021–22)."
    assert len(reply.links) == 2
    text = render_text(reply)
    assert "FinOpsSchool" not in text
    assert "Architect" not in text


@pytest.mark.parametrize(
    ("text", "program", "attribute"),
    [
        ("how much is the foce exma", "foce", "price"),  # exma: two letters swapped
        ("waht is the focp pasisng score", "focp", "pass_mark"),
        ("how long is teh fcp exam", "fcp", "exam_length"),
        ("who hosts the FOCP exam?", "focp", "issuer"),
        ("how many q's on the FOCE?", "foce", "question_count"),
        ("will my FOCP lapse?", "focp", "validity"),
        ("how long is the foce course?", "foce", "study_time"),
    ],
)
def test_typos_and_everyday_words_still_reach_the_program_fact(
    bot: Bot, text: str, program: str, attribute: str
) -> None:
    """Swapped letters are mended before facts are looked up, and everyday ways of asking
    ("who hosts", "how many q's") are cues: the facts answer, not a "did you mean"."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, attribute)


def test_a_deadline_weighed_gets_the_study_time_and_the_plan_command(bot: Bot) -> None:
    """ "FOCP by march, is that realistic?" answered the FOCP overview; it asks how long
    preparing takes, and the bot's own plan to an exam date is one command away."""
    reply = _ask(bot, "my manager wants me to get FOCP by march, is that realistic?")
    assert (reply.program, reply.attribute) == ("focp", "study_time")
    assert "/finops-plan focp" in render_text(reply)


@pytest.mark.parametrize(
    "question",
    [
        "roughly how many hours should I budget to study for FOCP?",
        "SRE here, some cloud billing exposure. how many hours to study for the FOCP?",
    ],
)
def test_hours_budgeted_to_study_ask_the_study_time(bot: Bot, question: str) -> None:
    """ "how many hours should I budget to study" was declined: no study-time cue said it."""
    reply = _ask(bot, question)
    assert (reply.program, reply.attribute) == ("focp", "study_time")


def test_focp_study_time_leads_with_focp(bot: Bot) -> None:
    """Study time for FOCP gives FOCP's figure, not FinOpsSchool's plans."""
    reply = _ask(bot, "How much study time do I need for FOCP?")
    assert (reply.program, reply.attribute) == ("focp", "study_time")
    assert reply.sections[0].text.startswith("No official estimate")
    assert "FinOpsSchool" not in render_text(reply)


def test_follow_up_uses_the_conversation_program(knowledge: Knowledge) -> None:
    """'How much does it cost?' after talking about FOCE answers FOCE's price."""
    reply = facts.answer(knowledge, "and how much does it cost?", subject_program="foce")
    assert reply is not None
    assert (reply.program, reply.attribute) == ("foce", "price")
    assert reply.sections[0].text.startswith("US$500 with the course; US$325")
    # A program named in the question wins over the conversation's.
    named = facts.answer(knowledge, "how much does the FOCP cost?", subject_program="foce")
    assert named is not None
    assert named.program == "focp"


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("what about the engineer one?", "foce-what-is"),
        ("and the ai one", "ai-value-what-is"),
        ("the focus one?", "focus-analyst-what-is"),
    ],
)
def test_a_bare_program_nickname_gets_that_programs_overview(
    bot: Bot, text: str, faq_id: str
) -> None:
    """A follow-up that only names another program, however shortened, says what it is."""
    reply = bot.ask(text, Subject("focp"))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)


@pytest.mark.parametrize(
    ("text", "subject"),
    [("do i need the practitioner first", "foce"), ("do i need the focp or foce first", "fcp")],
)
def test_asking_what_is_needed_first_is_about_the_thread_program(
    knowledge: Knowledge, text: str, subject: str
) -> None:
    """Programs named as what comes first leave the question about the thread's program."""
    reply = facts.answer(knowledge, text, subject_program=subject)
    assert reply is not None
    assert (reply.program, reply.attribute) == (subject, "prerequisites")


def test_a_missing_fact_is_said_plainly_with_where_to_check(bot: Bot) -> None:
    """No price for the Architect: say so and link the issuer's site, never guess."""
    reply = _ask(bot, "how much does the Certified FinOps Architect cost?")
    assert (reply.program, reply.attribute) == ("architect", "price")
    text = reply.sections[0].text
    assert text == (
        "Our sources don't give the price of Certified FinOps Architect. "
        "Check https://www.finopsschool.com/"
    )
    assert any(link.url == "https://www.finopsschool.com/" for link in reply.links)
    assert "$" not in render_text(reply)


def test_a_name_two_guides_share_answers_both(bot: Bot) -> None:
    """FinOpsSchool's Certified FinOps Professional has two guides: each gets its own line."""
    reply = _ask(bot, "what is the pass mark for the certified finops professional?")
    assert [s.heading for s in reply.sections] == [
        "Certified FinOps Professional (guide A, bhaso.com)",
        "Certified FinOps Professional (guide B)",
    ]
    assert reply.sections[0].text.startswith("Our sources don't give")
    assert reply.sections[1].text.startswith("Varies, usually about 70–75%")


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("pass mark for the guide b certified finops professional", "professional-b"),
        ("bhaso certified finops professional pass mark?", "professional-a"),
    ],
)
def test_a_guide_named_beside_the_shared_name_answers_that_guide_alone(
    bot: Bot, text: str, program: str
) -> None:
    """ "Guide B" next to the name both guides share settles which one is meant."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, "pass_mark")
    other = "guide A" if program == "professional-b" else "guide B"
    assert other not in render_text(reply)


@pytest.mark.parametrize(
    "text",
    [
        "what is cost allocation?",
        "What is FinOps?",
        "How long is the FOCP exam and what is the format?",
        "is the FOCP fiber optic certification hard?",
        "What does the FOCP cover?",
    ],
)
def test_other_questions_are_left_to_the_faqs(knowledge: Knowledge, text: str) -> None:
    """No attribute, several at once, or another vendor's exam: the FAQ matcher answers."""
    assert facts.answer(knowledge, text) is None


def test_every_program_answers_every_attribute(knowledge: Knowledge) -> None:
    """Each program answers each attribute with its current fact, or says it is not given."""
    tables = facts._tables(knowledge)
    for program in knowledge.programs.values():
        name = tables.ask_name[program.id]
        for cues in knowledge.language.attributes:
            reply = facts.answer(knowledge, f"What is the {cues.label} of {name}?")
            assert reply is not None, (program.id, cues.attribute)
            assert (reply.program, reply.attribute) == (program.id, cues.attribute)
            current = [
                f for f in program.facts if f.attribute == cues.attribute and f.status == "current"
            ]
            lead = reply.sections[0].text
            if current:
                assert lead.startswith(current[0].value)
            else:
                assert lead.startswith("Our sources don't give")
                assert program.url
                assert program.url in lead


def test_every_program_has_facts_from_known_sources(knowledge: Knowledge) -> None:
    """All nine programs carry facts, each citing a source the knowledge lists."""
    assert len(knowledge.programs) == 9
    for program in knowledge.programs.values():
        assert program.facts, program.id
        assert program.url, program.id
        assert all(f.source in knowledge.sources for f in program.facts)


def test_terminal_numbers_pick_program_choices_and_more_shows_the_rest(bot: Bot) -> None:
    """In the chat, a number answers for that program and 'more' shows an answer's rest."""
    out = io.StringIO()
    faq = bot.store.current.knowledge.faqs["finopsschool-vs-foundation"]
    lines = ["How much does the certification cost?", "1", faq.question, "more"]
    run_chat(ConversationService(bot, AccessRules()), lines, out.write)
    text = out.getvalue()
    assert "  1. FinOps Certified Practitioner (FOCP)" in text
    assert "FinOps Certified Practitioner (FOCP): price\n" in text
    assert "Say 'more' for details." in text
    first = bot.faq(faq.id)
    rest = bot.more(faq.id)
    assert rest.sections
    assert rest.sections[0].text not in render_text(first)
    assert f"More: {faq.question}" in text
    assert rest.sections[0].text in text


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("do i need FOCP before FOCE?", "foce"),
        ("FOCE prerequisites if I already hold the FOCP?", "foce"),
        ("technology value prereq - do I need FOCP?", "tech-value"),
        ("what are the FOCP prerequisites?", "focp"),
        ("does the fcp require the focp", "fcp"),
        ("do i need the practitioner for the engineer cert?", "foce"),
        ("can i go straight to the engineer cert without the practitioner", "foce"),
        ("can I take the FOCE without the FOCP?", "foce"),
    ],
)
def test_a_prerequisite_named_in_passing_is_not_the_subject(
    bot: Bot, text: str, program: str
) -> None:
    """ "Do I need FOCP before FOCE?" is about the FOCE's prerequisites, not the FOCP's."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, "prerequisites")


@pytest.mark.parametrize(
    ("text", "not_asked"),
    [
        ("how much % of the focp exam is the lifecycle domain?", "price"),
        ("does my focp course access expire?", "validity"),
    ],
)
def test_a_cue_beside_a_word_that_changes_it_asks_nothing_of_the_facts(
    knowledge: Knowledge, text: str, not_asked: str
) -> None:
    """ "How much %" asks a weight, and a course's access is not the credential's validity."""
    question = facts.parse(knowledge, text)
    assert question is not None
    assert not_asked not in question.asked


def test_what_percent_to_pass_asks_the_pass_mark(bot: Bot) -> None:
    """A "%" is read as "percent", so "what % do I need to pass FOCP?" gets FOCP's pass mark."""
    reply = _ask(bot, "what % do i need to pass focp")
    assert (reply.program, reply.attribute) == ("focp", "pass_mark")
    assert "75%" in render_text(reply)


def test_one_faq_covering_every_program_beats_which_one(bot: Bot) -> None:
    """ "Can I take the exam from home?" gets the FAQ about every exam, not "which one?"."""
    reply = _ask(bot, "can i take the exam from home?")
    assert reply.kind == "answer"
    assert reply.faq_id == "exam-online"


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("FOCP $$?", "price"),
        ("is the FOCP exam $325?", "price"),
        ("what comes with the $300 FOCP purchase", None),
    ],
)
def test_a_dollar_sign_ending_a_question_asks_the_price(
    bot: Bot, text: str, attribute: str | None
) -> None:
    """ "FOCP $$?" asks the price; a figure mentioned mid-sentence does not."""
    reply = _ask(bot, text)
    assert reply.attribute == attribute
    if attribute is not None:
        assert (reply.kind, reply.program) == ("answer", "focp")


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("when does the FOCE certification expires?", "validity"),
        ("how many hour long is the FOCP exam", "exam_length"),
        ("does anyone remember what the FinOps Practitioner exam costs now?", "price"),
    ],
)
def test_a_cue_matches_in_either_number(bot: Bot, text: str, attribute: str) -> None:
    """A plural or singular word ("expires", "exam costs") still names the attribute."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.attribute) == ("answer", attribute)


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("what is the passing score for finops practitioner", "focp"),
        ("how long is the exam for a finops engineer", "foce"),
    ],
)
def test_a_role_name_with_an_exam_attribute_names_the_program(
    bot: Bot, text: str, program: str
) -> None:
    """No persona sits an exam: "finops practitioner" with a pass mark asked is the FOCP."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program) == ("answer", program)


@pytest.mark.parametrize(
    ("text", "program", "attribute"),
    [
        # A name ending in "exam" leaves that word to the cue it ends.
        ("how long is the practitioner exam", "focp", "exam_length"),
        ("how long is the ai exam", "ai-value", "exam_length"),
        ("how much is the FinOps cert for AI?", "ai-value", "price"),
        ("whats the cost of the finops for artificial intelligence cert", "ai-value", "price"),
        ("how much is the focus exam", "focus-analyst", "price"),
        ("how much is FinOps for AI level 1?", "ai-value", "price"),
        ("FOCP is from Linux Foundation or FinOps Foundation?", "focp", "issuer"),
    ],
)
def test_the_program_and_attribute_are_both_read(
    bot: Bot, text: str, program: str, attribute: str
) -> None:
    """ "How much is the FinOps cert for AI?" was the FOCP's price, the program people mean
    by "the FinOps cert"; "how long is the ai exam" the FOCP's exam FAQ."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, attribute)


def test_proctoring_asked_where_the_sources_are_silent_says_so(bot: Bot) -> None:
    """ "Is the FOCUS Analyst exam proctored?" got its format ("online, multiple choice") as
    if that answered it; the FOCP's format facts do speak of proctoring."""
    silent = render_text(_ask(bot, "is the focus analyst exam proctored?"))
    assert "Our sources don't say whether the FinOps Certified FOCUS Analyst exam is" in silent
    assert "multiple choice" in silent
    focp = render_text(_ask(bot, "is the focp exam proctored?"))
    assert "don't say whether" not in focp
    assert "not proctored" in focp


def test_a_price_asked_for_a_team_adds_the_total(bot: Bot) -> None:
    """A manager asking the price for ten engineers had to multiply: each single list price
    of the current figure is multiplied out; a range ("bundles US$1,100–2,495") is not."""
    team = render_text(_ask(bot, "what's the total cost for 10 engineers to get the FOCE?"))
    assert "For 10 people, at list price (our sources give no group discount):" in team
    assert "10 × US$500 = US$5,000" in team
    assert "10 × US$325 = US$3,250" in team
    fcp = render_text(_ask(bot, "how much is the fcp for a team of 4"))
    assert "4 × US$500 = US$2,000" in fcp
    assert "1,100" not in fcp.split("For 4 people")[1]
    assert "For " not in render_text(_ask(bot, "how much is the focp"))


def test_a_role_name_alone_stays_the_role(bot: Bot) -> None:
    """ "What does a FinOps practitioner do?" asks about the persona, not the FOCP."""
    assert _ask(bot, "what does a finops practitioner do").faq_id == "persona-practitioner-role"


@pytest.mark.parametrize(
    "text",
    [
        "how many times can I take the FOCP exam?",
        "what if I fail the focp twice",
        "how many tries for focp",
    ],
)
def test_asking_how_often_one_may_sit_the_exam_asks_the_retakes(bot: Bot, text: str) -> None:
    """ "How many times can I take it?" asks how many attempts there are, not the exam format."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "focp", "retakes")
    assert "3 attempts" in render_text(reply)


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("is the focus analyst exam online", "focus-analyst"),
        ("is the ai value exam remote", "ai-value"),
    ],
)
def test_an_online_exam_question_gets_that_programs_delivery(
    bot: Bot, text: str, program: str
) -> None:
    """ "Is the FOCUS Analyst exam online?" is answered from that program's own delivery
    fact, not by the online-exam FAQ, which speaks only of the FOCP."""
    reply = _ask(bot, text)
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, "delivery")
    assert "online" in render_text(reply).lower()


def test_an_faq_naming_another_vendors_cert_still_names_ours(
    bundled_store: KnowledgeStore,
) -> None:
    """The beginner FAQ suggests AWS Cloud Practitioner as preparation; the programs it names
    are still read (a question would be declined as another vendor's, an answer is ours)."""
    knowledge = bundled_store.current.knowledge
    named = facts.faq_scope(knowledge, "beginner-start").programs
    assert {"focp", "foce"} <= named
    assert facts.parse(knowledge, "how much is the aws cloud practitioner exam") is None


def test_the_cheapest_or_dearest_certification_is_a_ranking(knowledge: Knowledge) -> None:
    """ "Which finops cert is the cheapest?" had answered the FOCP's price as "the one most
    people mean"; it asks for every priced certification, lowest first (or highest first),
    with those whose price no source gives named once."""
    cheap = facts.answer(knowledge, "which finops cert is the cheapest?")
    assert cheap is not None
    assert cheap.title == "Certifications by price, lowest first"
    priced = [p.id for p in knowledge.programs.values() if facts._facts(p, "price")]
    assert cheap.data is not None
    assert sorted(cheap.data["programs"]) == sorted(priced)
    lines = cheap.sections[0].text.splitlines()
    assert lines[0].startswith("- FinOps Certified Practitioner (FOCP): US$325")
    unpriced = [p.name for p in knowledge.programs.values() if p.id not in priced]
    assert cheap.sections[1].text == f"Our sources give no price for: {'; '.join(unpriced)}."
    dear = facts.answer(knowledge, "what's the most expensive finops certification?")
    assert dear is not None
    assert dear.title == "Certifications by price, highest first"
    assert dear.sections[0].text.startswith("- FinOps Certified Professional (FCP)")


def test_a_ranking_asked_of_one_issuer_ranks_only_its_certifications(
    knowledge: Knowledge,
) -> None:
    """ "Which FinOpsSchool cert is cheapest?" listed the Foundation's; FinOpsSchool's have no
    price in the sources, which is then the whole answer."""
    school = facts.answer(knowledge, "which finopsschool cert is cheapest")
    assert school is not None
    assert school.title is None
    names = [p.name for p in knowledge.programs.values() if p.issuer == "FinOpsSchool"]
    assert school.sections[0].text.startswith("Our sources give no price for: ")
    assert all(name in school.sections[0].text for name in names)
    foundation = facts.answer(knowledge, "cheapest finops foundation cert?")
    assert foundation is not None
    assert foundation.data is not None
    issuers = {knowledge.programs[p].issuer for p in foundation.data["programs"]}
    assert issuers == {"FinOps Foundation"}
