"""The conversation service: admin rules, silence, the once-only gate and thread memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

import pytest

from bot.conversation.access import AccessRules
from bot.conversation.admin import KnowledgeAdmin
from bot.conversation.context import MemoryContext, context_key
from bot.conversation.service import ConversationService, NullRecorder
from bot.core.bot import Bot
from bot.core.reply import Message, Reply
from bot.core.store import KnowledgeStore
from bot.core.subject import Subject
from bot.render.text import render_text

ADMIN = "U_ADMIN"


class ListRecorder(NullRecorder):
    """Keeps what the service recorded, to check it recorded once and only what it should."""

    def __init__(self) -> None:
        self.questions: list[tuple[str, str]] = []
        self.audit: list[tuple[str, str, bool]] = []

    def question(self, message: Message, reply: Reply, asked_at: datetime) -> None:
        self.questions.append((message.text, reply.kind))

    def admin(self, message: Message, text: str, *, allowed: bool) -> None:
        self.audit.append((message.user_id, text, allowed))


class Clock:
    """A clock the test moves by hand, so expiry needs no sleep."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="recorder")
def _recorder() -> ListRecorder:
    return ListRecorder()


@pytest.fixture(name="clock")
def _clock() -> Clock:
    return Clock()


@pytest.fixture(name="service")
def _service(
    bundled_store: KnowledgeStore, recorder: ListRecorder, clock: Clock
) -> ConversationService:
    return ConversationService(
        Bot(bundled_store),
        AccessRules(admins=frozenset({ADMIN})),
        verbs=KnowledgeAdmin(bundled_store).verbs(),
        recorder=recorder,
        context=MemoryContext(ttl=1800, clock=clock),
    )


def dm(text: str, user: str = "U1", place: str = "D1") -> Message:
    """A message in a DM (private)."""
    return Message(text, user_id=user, platform="slack", place=place, private=True)


def thread(text: str, user: str = "U1", place: str = "C1:100.1") -> Message:
    """A message in a channel thread (public)."""
    return Message(text, user_id=user, platform="slack", place=place, via="mention")


async def say(service: ConversationService, message: Message) -> Reply:
    reply = await service.respond(message)
    assert reply is not None
    return reply


async def test_admin_refused_for_non_admin(
    service: ConversationService, recorder: ListRecorder
) -> None:
    """A non-admin asking for a reload is refused politely, audited, and nothing reloads."""
    before = service.bot.store.current
    reply = await say(service, dm("admin reload", user="U_SOMEONE"))
    assert "only for the bot's admins" in render_text(reply)
    # A reload swaps in a new snapshot even when the files are unchanged; none happened.
    assert service.bot.store.current is before
    assert recorder.audit == [("U_SOMEONE", "reload", False)]
    await say(service, dm("admin reload", user=ADMIN))
    assert service.bot.store.current is not before


async def test_admin_status_for_admin_in_private(
    service: ConversationService, recorder: ListRecorder
) -> None:
    """An admin in a DM gets the knowledge version and counts; the command is audited."""
    reply = await say(service, dm("/finops-admin status", user=ADMIN))
    text = render_text(reply)
    assert service.bot.store.current.version in text
    assert "faqs" in text
    assert recorder.audit == [(ADMIN, "status", True)]


async def test_admin_output_never_goes_to_a_public_place(service: ConversationService) -> None:
    """An admin's command in a channel thread points to a private place and shows no status."""
    reply = await say(service, thread("admin status", user=ADMIN))
    text = render_text(reply)
    assert "Admin commands work in a DM with me" in text
    assert service.bot.store.current.version not in text


async def test_unknown_verb_lists_the_verbs(service: ConversationService) -> None:
    """A typo in a verb lists what exists instead of failing silently."""
    text = render_text(await say(service, dm("admin relaod", user=ADMIN)))
    assert "Unknown admin command 'relaod'" in text
    assert "reload" in text
    assert "status" in text


async def test_a_failing_verb_gets_an_apology(
    bundled_store: KnowledgeStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A verb that raises answers with a short apology and logs the error once."""

    async def broken(message: Message, args: str) -> Reply:
        raise RuntimeError("boom")

    service = ConversationService(
        Bot(bundled_store), AccessRules(admins=frozenset({ADMIN})), verbs={"stats": broken}
    )
    reply = await say(service, dm("admin stats", user=ADMIN))
    assert "that admin command failed" in render_text(reply)
    assert [r.levelname for r in caplog.records if "boom" in (r.exc_text or "")] == ["ERROR"]


async def test_unprompted_messages_speak_only_when_useful(
    service: ConversationService, recorder: ListRecorder
) -> None:
    """In an opted-in channel, chatter and small talk get silence and are not recorded."""
    for text in ("lunch anyone?", "thanks!", "hello", "admin reload"):
        msg = Message(text, user_id=ADMIN, platform="slack", place="C1:1.1", unprompted=True)
        assert await service.respond(msg) is None
    question = Message(
        "how long is the focp exam?", user_id="U1", platform="slack", place="C1:2.2",
        unprompted=True,
    )  # fmt: skip
    assert (await say(service, question)).kind == "answer"
    assert recorder.questions == [("how long is the focp exam?", "answer")]
    assert recorder.audit == []


async def test_unprompted_which_certification_is_asked(
    service: ConversationService, recorder: ListRecorder
) -> None:
    """In an opted-in channel, an exam question naming no program gets "which one?" back."""
    msg = Message(
        "how much is the exam?", user_id="U1", platform="slack", place="C1:3.3", unprompted=True
    )
    reply = await say(service, msg)
    assert reply.kind == "clarify"
    shown = render_text(reply)
    assert "Which one do you mean?" in shown
    assert "1. FinOps Certified Practitioner (FOCP)" in shown
    assert recorder.questions == [("how much is the exam?", "clarify")]


async def test_a_lost_gate_means_nothing_happens(
    service: ConversationService, recorder: ListRecorder
) -> None:
    """When another instance has the message, nothing is answered, run or recorded."""
    calls: list[str] = []

    def gate(result: bool) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            calls.append("gate")
            return result

        return check

    version = service.bot.store.current.version
    assert await service.respond(dm("admin reload", user=ADMIN), gate(False)) is None
    assert await service.respond(dm("how long is the focp exam?"), gate(False)) is None
    assert calls == ["gate", "gate"]
    assert recorder.questions == []
    assert recorder.audit == []
    assert service.bot.store.current.version == version
    assert await service.respond(dm("how long is the focp exam?"), gate(True)) is not None
    assert len(recorder.questions) == 1


async def test_follow_up_resolves_to_the_thread_subject(service: ConversationService) -> None:
    """After a question about the FCP, "how much does it cost?" answers the FCP's price."""
    first = await say(service, thread("tell me about the finops certified professional"))
    assert first.faq_id is not None
    assert first.faq_id.startswith("fcp")
    follow = await say(service, thread("how much does it cost?"))
    assert follow.kind == "answer"
    assert follow.program == "fcp"
    assert "price" in (follow.title or "")


async def test_a_thread_never_turns_a_cloud_how_to_into_a_certification_answer(
    service: ConversationService,
) -> None:
    """After the FOCP's price, "how do I set up an AWS budget alert" is still declined."""
    await say(service, thread("how much is the FOCP exam?"))
    reply = await say(service, thread("how do i set up an aws budget alert"))
    assert reply.kind == "decline"
    assert "cloud operations question" in render_text(reply)


async def test_a_pronoun_points_back_at_the_thread_program(service: ConversationService) -> None:
    """After the FCP, "how long does it take?" is the FCP's study time."""
    await say(service, thread("tell me about the finops certified professional"))
    reply = await say(service, thread("how long does it take?"))
    assert (reply.program, reply.attribute) == ("fcp", "study_time")


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("what is amortized cost?", "term-amortized-cost"),
        ("what are the finops principles", "finops-principles"),
        ("what is FOCUS?", "focus-spec"),
    ],
)
async def test_a_question_of_its_own_in_a_thread_is_not_bent_to_the_thread_program(
    service: ConversationService, question: str, faq_id: str
) -> None:
    """In a thread about the FOCE, "what is amortized cost?" is the glossary, not FOCE's price."""
    await say(service, thread("tell me about the FinOps Certified Engineer"))
    reply = await say(service, thread(question))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)
    follow = await say(service, thread("how much is it?"))
    assert (follow.program, follow.attribute) == ("foce", "price")


@pytest.mark.parametrize(
    ("follow_up", "program"),
    [("what about the FCP?", "fcp"), ("and the engineer one?", "foce"), ("FOCE?", "foce")],
)
async def test_a_program_alone_carries_the_last_attribute_over(
    service: ConversationService, follow_up: str, program: str
) -> None:
    """After the FOCP's price, "what about the FCP?" answers the FCP's price."""
    first = await say(service, thread("how much does the FOCP cost?"))
    assert (first.program, first.attribute) == ("focp", "price")
    follow = await say(service, thread(follow_up))
    assert follow.kind == "answer"
    assert (follow.program, follow.attribute) == (program, "price")
    assert "price" in render_text(follow)


async def test_the_latest_attribute_asked_is_the_one_carried_over(
    service: ConversationService,
) -> None:
    """Price asked, then "does it expire?" (the general FAQ): "and the FOCE?" is its validity."""
    await say(service, thread("how much is it?"))
    general = await say(service, thread("does it expire?"))
    assert (general.kind, general.program) == ("answer", None)
    reply = await say(service, thread("and the FOCE?"))
    assert (reply.program, reply.attribute) == ("foce", "validity")


async def test_an_attribute_answered_by_a_general_faq_still_moves_the_topic(
    service: ConversationService,
) -> None:
    """After the every-program pass-mark FAQ, "what about the FCP?" asks the FCP's pass mark."""
    general = await say(service, thread("what is the passing score?"))
    assert (general.kind, general.program) == ("answer", None)
    reply = await say(service, thread("what about the FCP?"))
    assert (reply.program, reply.attribute) == ("fcp", "pass_mark")


@pytest.mark.parametrize(
    ("first", "follow_up", "faq_id"),
    [
        ("what is FOCUS?", "is there a cert for it?", "focus-analyst-what-is"),
        ("what are the phases of the finops lifecycle?", "what happens in the last one?", None),
        ("what are the finops principles", "which one is about ownership?", "principle-ownership"),
        ("what is the finance persona in finops?", "what are their responsibilities?", None),
        ("what is unit economics?", "example?", "unit-economics"),
        # "each" refers back to the two things the answer named.
        ("what's the difference between a domain and a capability?", "how many of each?",
         "finops-domains"),
    ],
)  # fmt: skip
async def test_a_follow_up_points_back_at_the_concept_last_answered(
    service: ConversationService, first: str, follow_up: str, faq_id: str | None
) -> None:
    """After "what is FOCUS?", "is there a cert for it?" is the FOCUS Analyst, not the list."""
    opening = await say(service, thread(first))
    assert opening.kind == "answer"
    alone = await say(service, thread(follow_up, place="C1:200.2"))
    reply = await say(service, thread(follow_up))
    assert reply.kind == "answer"
    assert (reply.faq_id, reply.answered) != (alone.faq_id, alone.answered)
    if faq_id is not None:
        assert reply.faq_id == faq_id
    elif "persona" in first:  # the persona's own FAQ
        assert reply.faq_id == opening.faq_id
    else:  # the lifecycle's last phase: Operate
        assert "operate" in render_text(reply).lower()


@pytest.mark.parametrize(
    "follow_up",
    ["how is it different from the other one?", "is that the same as the first one?"],
)
async def test_the_other_one_is_the_concept_answered_before_the_last(
    service: ConversationService, follow_up: str
) -> None:
    """After amortized cost, then blended cost, "how is it different from the other one?"
    sets the two side by side; "the difference between them?" asks the pair the last answer
    was about (blended and unblended), and a new thread has no "other one"."""
    await say(service, thread("what is amortized cost"))
    blended = await say(service, thread("what is blended cost"))
    assert blended.faq_id == "term-blended-unblended-rates"
    reply = await say(service, thread(follow_up))
    assert [s.heading for s in reply.sections] == [
        "What is the difference between blended and unblended rates?",
        "What is amortized cost?",
    ]
    them = await say(service, thread("what's the difference between them?"))
    assert them.faq_id == "term-blended-unblended-rates"
    assert them.sections[0].heading is None
    await say(service, thread("what is blended cost", place="C1:300.3"))
    alone = await say(service, thread(follow_up, place="C1:300.3"))
    assert "What is amortized cost?" not in [s.heading for s in alone.sections]


async def test_a_concept_asked_in_a_program_thread_becomes_the_subject(
    service: ConversationService,
) -> None:
    """In a thread about the FOCE, "who runs it?" after "what's FOCUS?" asks about FOCUS."""
    await say(service, thread("do I need to renew the engineer one"))
    focus = await say(service, thread("whats FOCUS"))
    assert focus.kind == "answer"
    reply = await say(service, thread("ok and who runs it?"))
    assert reply.faq_id == "focus-project-governance"
    assert "Engineer" not in render_text(reply)
    # An attribute the concept has no fact for still goes to the thread's program.
    length = await say(service, thread("how long is the exam"))
    assert (length.program, length.attribute) == ("foce", "exam_length")


async def test_a_concept_with_no_answer_leaves_the_question_to_the_thread_program(
    service: ConversationService,
) -> None:
    """After "what's FOCUS?" in a FOCE thread, "how much is it?" asks the FOCE's price."""
    await say(service, thread("tell me about the engineer cert"))
    focus = await say(service, thread("what's FOCUS"))
    reply = await say(service, thread("how much is it?"))
    assert reply.faq_id != focus.faq_id
    assert (reply.program, reply.attribute) == ("foce", "price")


@pytest.mark.parametrize(
    ("listing", "picks"),
    [
        (
            "what are the finops principles",
            [
                ("the third one?", "principle-ownership"),
                ("and the fifth", "principle-enabled-centrally"),
            ],
        ),
        (
            "who are the finops personas?",
            [
                ("what does the second one do", "persona-engineering-role"),
                ("number 6?", "persona-leadership-role"),
            ],
        ),
        ("list the finops domains", [("the last one", "domain-manage-capabilities")]),
    ],
)
async def test_a_position_picks_from_the_list_the_last_answer_gave(
    service: ConversationService, listing: str, picks: list[tuple[str, str]]
) -> None:
    """ "the third one?" after the six principles answers the third; the list stays the topic."""
    first = await say(service, thread(listing))
    assert first.kind == "answer"
    for text, faq_id in picks:
        reply = await say(service, thread(text))
        assert (reply.kind, reply.faq_id) == ("answer", faq_id)
        assert reply.title == service.bot.faq(faq_id).title


@pytest.mark.parametrize(
    ("listing", "picks"),
    [
        (
            "list the finops domains",
            [
                ("which one has forecasting in it", "domain-quantify-capabilities"),
                ("and the first one?", "domain-understand-capabilities"),
            ],
        ),
        (
            "what are the 6 finops principles",
            [
                (
                    "which of those is the one about accountability for your own usage",
                    "principle-ownership",
                ),
            ],
        ),
        (
            "who are the finops personas?",
            [
                ("which one cares about unit costs", "persona-product-role"),
                ("which one is me if i'm a developer", "persona-engineering-role"),
            ],
        ),
    ],
)
async def test_which_one_picks_from_the_list_by_what_the_item_holds(
    service: ConversationService, listing: str, picks: list[tuple[str, str]]
) -> None:
    """ "which one has forecasting in it?" after the domains answers that domain, and the
    list stays the topic for the next pick."""
    await say(service, thread(listing))
    for text, faq_id in picks:
        reply = await say(service, thread(text))
        assert (reply.kind, reply.faq_id) == ("answer", faq_id)


async def test_which_one_naming_nothing_in_the_list_picks_no_item(
    service: ConversationService,
) -> None:
    """ "which one is the best?" after the principles names no principle's content."""
    first = await say(service, thread("what are the finops principles"))
    items = service.bot.store.current.knowledge.faqs[first.faq_id or ""].items
    reply = await say(service, thread("which one is the best?"))
    assert reply.faq_id not in items


async def test_an_aspect_in_a_programs_thread_is_answered_for_it(
    service: ConversationService,
) -> None:
    """ "is it hard?" in a thread about the FOCE gets what the sources say of difficulty,
    saying they say nothing of the FOCE itself; the FOCE stays the thread's program."""
    await say(service, thread("tell me about the foce"))
    reply = await say(service, thread("is it hard?"))
    assert reply.faq_id == "difficulty"
    assert "Nothing specific to the FinOps Certified Engineer (FOCE) in our sources" in render_text(
        reply
    )
    after = await say(service, thread("how much is it?"))
    assert (after.program, after.attribute) == ("foce", "price")


@pytest.mark.parametrize(
    ("first", "faq_id"),
    [("what is the FOCP", "focp-exam-format"), ("what is the foce", "foce-exam")],
)
async def test_and_the_exam_after_a_program_is_its_exam_overview(
    service: ConversationService, first: str, faq_id: str
) -> None:
    """ "and the exam?" after the FOCP's overview asks about its exam (format, length,
    questions); "exam" alone had matched the exam's price."""
    await say(service, thread(first))
    reply = await say(service, thread("and the exam?"))
    assert reply.faq_id == faq_id


async def test_whats_on_the_exam_after_a_program_is_its_curriculum(
    service: ConversationService,
) -> None:
    """ "what's on the exam?" after the FOCP's overview asks what it covers, not the
    overview again."""
    await say(service, thread("tell me about the focp"))
    reply = await say(service, thread("what's on the exam?"))
    assert reply.faq_id == "focp-curriculum"


async def test_is_it_on_the_exam_asks_what_the_exam_covers(
    service: ConversationService,
) -> None:
    """ "is it on the focp exam?" after a concept asks what the FOCP covers, not its price
    ("on" is a stopword, so "focp exam" alone had matched the price)."""
    await say(service, thread("what is invoicing and chargeback"))
    reply = await say(service, thread("is it on the focp exam?"))
    assert reply.faq_id == "focp-curriculum"
    again = await say(service, dm("how many questions are on the focp exam?"))
    assert (again.program, again.attribute) == ("focp", "question_count")


async def test_a_vague_follow_up_gets_its_answer_not_the_programs_overview(
    service: ConversationService,
) -> None:
    """ "is it hard?" after the FOCP's overview asks how difficult it is, not the overview again."""
    overview = await say(service, thread("tell me about focp"))
    reply = await say(service, thread("is it hard?"))
    assert reply.kind == "answer"
    assert reply.faq_id != overview.faq_id
    assert "difficult" in render_text(reply).lower()


async def test_a_cloud_how_to_after_a_concept_stays_declined(
    service: ConversationService,
) -> None:
    """After "what is rightsizing?", "how do I do it in AWS?" is still a cloud how-to."""
    await say(service, thread("what is rightsizing?"))
    reply = await say(service, thread("how do I do it in AWS?"))
    assert not reply.answered
    assert "cloud" in render_text(reply).lower()


@pytest.mark.parametrize(
    ("concept", "follow_up"),
    [
        ("what's a commitment-based discount?", "is that the same as a savings plan?"),
        ("what is rate optimization in finops?", "reserved instances vs savings plans?"),
    ],
)
async def test_a_cloud_term_set_beside_the_concept_is_a_question_about_it(
    service: ConversationService, concept: str, follow_up: str
) -> None:
    """ "is that the same as a savings plan?" after commitment discounts was declined as a
    cloud how-to, although the answer just given named savings plans; asked how to buy one
    on AWS, it still is."""
    await say(service, thread(concept))
    reply = await say(service, thread(follow_up))
    assert reply.answered
    assert reply.faq_id in {"term-commitment-discounts", "capability-rate-optimization"}
    assert "savings plan" in render_text(reply).lower()
    how_to = await say(service, thread("ok how do I buy one on AWS?"))
    assert not how_to.answered


@pytest.mark.parametrize(
    ("concept", "follow_up", "persona"),
    [
        ("what's a commitment discount", "who decides to buy them?", "persona-procurement-role"),
        ("whats waste in finops", "who cleans it up", "persona-engineering-role"),
    ],
)
async def test_who_does_it_after_a_concept_is_its_persona(
    service: ConversationService, concept: str, follow_up: str, persona: str
) -> None:
    """ "who decides to buy them?" after commitment discounts repeated the discount's answer."""
    first = await say(service, thread(concept))
    reply = await say(service, thread(follow_up))
    assert reply.faq_id == persona != first.faq_id


async def test_an_unrelated_question_does_not_get_the_last_answer_again(
    service: ConversationService,
) -> None:
    """After "is the cert worth it?", an RI strategy question is not answered with it again."""
    first = await say(service, thread("is the finops cert worth it?"))
    assert first.kind == "answer"
    reply = await say(service, thread("what's the best RI strategy for us"))
    assert reply.faq_id != first.faq_id


@pytest.mark.parametrize(
    ("first", "program", "issuer"),
    [
        ("tell me about the architect cert", "architect", "FinOpsSchool"),
        ("what is the FOCE", "foce", "FinOps Foundation"),
    ],
)
async def test_is_it_from_an_issuer_asks_the_thread_programs_issuer(
    service: ConversationService, first: str, program: str, issuer: str
) -> None:
    """ "is it from the finops foundation?" after the Architect asks whose the Architect is
    (FinOpsSchool's); naming the issuer had dropped the thread's program."""
    await say(service, thread(first))
    reply = await say(service, thread("is it from the finops foundation?"))
    assert (reply.kind, reply.program, reply.attribute) == ("answer", program, "issuer")
    assert issuer in render_text(reply)


async def test_naming_another_issuer_leaves_the_thread_program(
    service: ConversationService,
) -> None:
    """After the Foundation's FCP, "the FinOpsSchool one" is not the FCP: no FCP figure."""
    await say(service, thread("tell me about the fcp"))
    price = await say(service, thread("how much is the finopsschool one"))
    assert price.program != "fcp"
    assert "FinOpsSchool" in render_text(price)
    issuer = await say(service, thread("who runs finopsschool anyway"))
    assert (issuer.program, issuer.attribute) != ("fcp", "issuer")
    assert "FinOpsSchool" in render_text(issuer)


async def test_a_question_of_its_own_is_not_bent_to_the_concept_last_answered(
    service: ConversationService,
) -> None:
    """After "what is FOCUS?", "what is amortized cost?" is the glossary, nothing about FOCUS."""
    await say(service, thread("what is FOCUS?"))
    reply = await say(service, thread("what is amortized cost?"))
    assert (reply.kind, reply.faq_id) == ("answer", "term-amortized-cost")


@pytest.mark.parametrize(
    ("follow_up", "program"),
    [("and the engineer?", "foce"), ("what about the analyst?", "focus-analyst")],
)
async def test_a_short_name_names_a_program_only_in_a_conversation(
    service: ConversationService, follow_up: str, program: str
) -> None:
    """ "And the engineer?" after the FOCP's validity is the FOCE's; said first, it is a person."""
    alone = await say(service, thread(follow_up, place="C1:300.3"))
    assert alone.program != program
    first = await say(service, thread("how long is the FOCP valid?"))
    assert (first.program, first.attribute) == ("focp", "validity")
    follow = await say(service, thread(follow_up))
    assert (follow.kind, follow.program, follow.attribute) == ("answer", program, "validity")


async def test_a_shared_short_name_means_the_conversation_issuers_program(
    service: ConversationService,
) -> None:
    """After the FOCP's price, "the professional?" is the Foundation's FCP, not a FinOpsSchool
    guide; asked inside a guide's own thread, it switches nowhere."""
    await say(service, thread("how much is the FOCP exam?"))
    follow = await say(service, thread("the professional?"))
    assert (follow.kind, follow.program, follow.attribute) == ("answer", "fcp", "price")
    await say(
        service, thread("how much is the guide a certified finops professional?", place="C1:400.4")
    )
    same = await say(service, thread("the professional?", place="C1:400.4"))
    assert same.program != "professional-b"


async def test_the_last_program_named_is_the_topic_and_one_already_held_is_not(
    service: ConversationService,
) -> None:
    """ "FOCP then FCP, is that the usual path?" makes the FCP the subject; "is it hard?"
    after it is about the FCP."""
    await say(service, thread("focp then fcp, is that the usual path?"))
    follow = await say(service, thread("how much does it cost?"))
    assert (follow.program, follow.attribute) == ("fcp", "price")


async def test_a_prerequisite_a_few_words_after_need_is_still_the_prerequisite(
    service: ConversationService,
) -> None:
    """In a guide B thread, "do I need to take the practitioner exam first?" asks guide B's
    prerequisites, not the FOCP's."""
    await say(service, thread("guide b"))
    follow = await say(service, thread("do i need to take the practitioner exam first?"))
    assert (follow.program, follow.attribute) == ("professional-b", "prerequisites")


async def test_an_acknowledgement_in_a_thread_is_not_answered_with_the_programs_faq(
    service: ConversationService,
) -> None:
    """ "ok cool" after the FOCE's overview is thanks, not another FOCE answer."""
    await say(service, thread("tell me about the finops certified engineer"))
    for text in ("ok cool", "great, that helps a lot"):
        reply = await say(service, thread(text))
        assert reply.kind not in ("answer", "suggest")
        assert reply.faq_id is None


async def test_the_conversation_backs_a_near_answer_about_its_program(
    service: ConversationService,
) -> None:
    """After the AI Value cert, "is it self paced" answers about AI Value (offering the
    runners-up), not the FOCP's self-paced course."""
    await say(service, thread("certified finops for ai"))
    follow = await say(service, thread("is it self paced"))
    assert follow.kind == "answer"
    assert follow.faq_id is not None
    assert follow.faq_id.startswith("ai-value")


async def test_another_programs_faq_never_answers_for_the_thread_program(
    service: ConversationService,
) -> None:
    """After the Technology Value cert, "is it self paced or a class?" is answered about
    Technology Value, though the FOCP's self-paced course FAQ matches the words better."""
    await say(service, thread("technology value certification - what is it"))
    follow = await say(service, thread("is it self paced or a class?"))
    assert follow.kind == "answer"
    assert follow.program == "tech-value"
    assert "FOCP" not in (follow.title or "")


async def test_a_new_program_without_an_attribute_starts_a_new_topic(
    service: ConversationService,
) -> None:
    """After "tell me about the FCP", "and the price?" is the FCP's, not an older attribute."""
    await say(service, thread("how long is the FOCP exam?"))
    await say(service, thread("tell me about the finops certified professional"))
    follow = await say(service, thread("how much does it cost?"))
    assert (follow.program, follow.attribute) == ("fcp", "price")


async def test_naming_a_program_after_which_one_answers_the_attribute(
    service: ConversationService,
) -> None:
    """ "Which certification?" then a typed "FOCE" answers the FOCE's figure, not a profile."""
    ask = await say(service, thread("how much is the exam?"))
    assert ask.kind == "clarify"
    follow = await say(service, thread("the foce"))
    assert (follow.kind, follow.program, follow.attribute) == ("answer", "foce", "price")


async def test_context_never_leaks_between_threads_or_dms(service: ConversationService) -> None:
    """Another thread, or another person's DM, does not inherit the subject."""
    await say(service, thread("tell me about the finops certified professional"))
    await say(service, dm("tell me about the finops certified professional", user="U1"))
    other_thread = await say(service, thread("how much does it cost?", place="C1:200.2"))
    other_dm = await say(service, dm("how much does it cost?", user="U2", place="D1"))
    for reply in (other_thread, other_dm):
        assert reply.program != "fcp"
        assert reply.faq_id is None or not reply.faq_id.startswith("fcp")


async def test_context_expires_after_silence(service: ConversationService, clock: Clock) -> None:
    """Thirty minutes of silence ends the conversation: the follow-up is no longer tied."""
    await say(service, thread("tell me about the finops certified professional"))
    clock.now += 1801
    follow = await say(service, thread("how much does it cost?"))
    assert follow.program != "fcp"
    assert follow.faq_id is None or not follow.faq_id.startswith("fcp")


def test_private_keys_include_the_user() -> None:
    """Two people in places with the same id still get different conversation keys."""
    a = context_key(dm("x", user="U1", place="D9"))
    b = context_key(dm("x", user="U2", place="D9"))
    assert a is not None
    assert b is not None
    assert a != b
    assert context_key(Message("x")) is None


async def test_progress_says_where_the_plan_stands(service: ConversationService) -> None:
    """With a plan, `/finops-quiz progress` also says which study week it is."""
    before = render_text(await say(service, dm("/finops-quiz progress focp")))
    assert "Study plan for" not in before
    exam = (date.today() + timedelta(days=120)).isoformat()  # always ahead of the run
    await say(service, dm(f"/finops-plan focp {exam} 5h"))
    after = render_text(await say(service, dm("/finops-quiz progress focp")))
    assert "Study plan for FinOps Certified Practitioner: week 1 of" in after
    assert f"exam on {exam}" in after


async def test_a_new_thread_reads_no_memory(bundled_store: KnowledgeStore) -> None:
    """A top-level message starts its conversation: nothing is recalled, its subject is kept."""
    calls: list[str] = []

    class Spy(MemoryContext):
        async def recall(self, key: str) -> Subject | None:
            calls.append(key)
            return await super().recall(key)

    service = ConversationService(Bot(bundled_store), AccessRules(), context=Spy())
    top = Message("tell me about the fcp", platform="slack", place="C1:5.5", new_thread=True)
    await say(service, top)
    assert calls == []
    follow = await say(service, dataclasses.replace(top, text="how much is it?", new_thread=False))
    assert calls == [context_key(top)]
    assert follow.program == "fcp"


@pytest.mark.parametrize(
    ("follow_up", "position"),
    [
        ("how much is the second one?", 1),
        ("how much does the 1st cert cost", 0),
        ("price of number 3?", 2),
        ("and how much is the last one", -1),
    ],
)
async def test_a_position_in_a_path_names_that_program(
    service: ConversationService, follow_up: str, position: int
) -> None:
    """After a path, "how much is the second one?" is the second listed program's price."""
    path = await say(service, thread("/finops-path sre 3 years"))
    assert path.kind == "path"
    assert len(path.listed) >= 3
    chosen = path.listed[position]
    reply = await say(service, thread(follow_up))
    assert (reply.program, reply.attribute) == (chosen, "price")
    name = service.bot.store.current.knowledge.programs[chosen].name
    assert name in render_text(reply)
    # The list outlives the question about one of its programs.
    again = await say(service, thread("and the first one?"))
    assert (again.program, again.attribute) == (path.listed[0], "price")


async def test_first_as_an_adverb_is_not_a_position(service: ConversationService) -> None:
    """ "Which should I take first?" after a path picks no program of the list."""
    path = await say(service, thread("/finops-path sre 3 years"))
    reply = await say(service, thread("which should I take first?"))
    assert reply.attribute is None
    assert reply.program not in path.listed[1:]


async def test_an_attribute_after_a_path_asks_about_the_programs_it_listed(
    service: ConversationService,
) -> None:
    """After a data engineer's path, "how long is the exam?" is about the path's programs:
    of those only FOCP and FOCUS Analyst have an exam length in the knowledge, so the choice
    is between those two, not every program."""
    path = await say(service, thread("/finops-path data engineer"))
    assert {"focp", "focus-analyst"} <= set(path.listed)
    assert "foce" not in path.listed
    reply = await say(service, thread("how long is the exam?"))
    assert (reply.kind, reply.attribute) == ("clarify", "exam_length")
    assert [a.label for a in reply.actions if a.kind == "ask"] == [
        "FinOps Certified Practitioner (FOCP)",
        "FinOps Certified FOCUS Analyst",
    ]
    after = await say(service, thread("the FOCUS one"))
    assert (after.program, after.attribute) == ("focus-analyst", "exam_length")


# The programs the SRE answer names that have a price, in the order a choice lists them.
SRE_PRICED = ["FinOps Certified Engineer (FOCE)", "FinOps Certified Practitioner (FOCP)"]


async def test_an_attribute_after_a_role_answer_asks_about_the_programs_it_named(
    service: ConversationService,
) -> None:
    """The SRE answer names three FinOpsSchool levels, the FOCP and the FinOps Certified
    Engineer; only the last two have a price in the knowledge, so "how much is it?" is a
    choice between those two rather than between every program."""
    first = await say(service, thread("which finops cert is best for an sre?"))
    assert first.faq_id == "role-sre"
    reply = await say(service, thread("how much is it?"))
    assert (reply.kind, reply.attribute) == ("clarify", "price")
    assert [a.label for a in reply.actions if a.kind == "ask"] == SRE_PRICED


@pytest.mark.parametrize(
    ("concept", "overview"),
    [
        ("what is a finops scope", "tech-value-what-is"),
        ("what is FOCUS?", "focus-analyst-what-is"),
    ],
)
async def test_a_cert_for_a_concept_is_the_one_its_answer_names(
    service: ConversationService, concept: str, overview: str
) -> None:
    """ "is there a certification that covers it?" after a concept whose answer names one
    certification (Scopes: Technology Value) answers that certification."""
    await say(service, thread(concept))
    reply = await say(service, thread("is there a certification that covers it?"))
    assert reply.faq_id == overview


async def test_a_cert_for_a_concept_may_be_the_one_its_related_questions_name(
    service: ConversationService,
) -> None:
    """Who runs FOCUS names no certification, but links to the FOCUS Analyst: "is there an
    exam for it?" answers that, and "how much?" then gives its price."""
    await say(service, thread("what is FOCUS?"))
    who = await say(service, thread("who created it?"))
    assert who.faq_id == "focus-project-governance"
    exam = await say(service, thread("is there an exam for it?"))
    assert exam.faq_id == "focus-analyst-what-is"
    price = await say(service, thread("how much?"))
    assert (price.kind, price.program, price.attribute) == ("answer", "focus-analyst", "price")


async def test_an_exam_price_for_a_concept_is_that_certifications_price(
    service: ConversationService,
) -> None:
    """ "how much is the exam for it?" after FOCUS asks a price, not for the overview; with
    one certification named there is no line about others lacking the figure."""
    await say(service, thread("what is FOCUS?"))
    reply = await say(service, thread("how much is the exam for it?"))
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "focus-analyst", "price")
    assert "other certifications" not in render_text(reply)


@pytest.mark.parametrize(
    "asked", ["how much of the exam is that?", "how much is it weighted on the exam?"]
)
async def test_how_much_of_the_exam_a_topic_is_asks_its_weight_not_a_price(
    service: ConversationService, asked: str
) -> None:
    """ "how much of the exam is that?" after the lifecycle asks its weight in the FOCP
    curriculum; "how much" alone reads as a price."""
    await say(service, thread("what's the finops lifecycle"))
    reply = await say(service, thread(asked))
    assert (reply.kind, reply.faq_id, reply.attribute) == ("answer", "focp-curriculum", None)


@pytest.mark.parametrize(
    ("concept", "asked", "domain"),
    [
        ("what is unit economics", "is it tested on the focp?", "“FinOps Capabilities” (28%"),
        ("what are the finops principles", "do i need to memorize them for the exam",
         "“What is FinOps & FinOps Principles” (12%"),
        ("what are the maturity levels", "is that on the exam?", "“FinOps Lifecycle” (30%"),
    ],
)  # fmt: skip
async def test_whether_a_concept_is_on_the_exam_gets_what_the_exam_covers(
    service: ConversationService, concept: str, asked: str, domain: str
) -> None:
    """ "is it tested on the focp?" after a concept answered the FOCP's overview or the
    concept again; what the FOCP exam covers (its domains and weights) is the answer, led
    by the domain the FOCP study plan reads the concept for."""
    await say(service, thread(concept))
    reply = await say(service, thread(asked))
    assert (reply.kind, reply.faq_id) == ("answer", "focp-curriculum")
    lead = reply.sections[0].text
    assert lead.startswith(f"On the FOCP exam, our study plan puts this under {domain}")


async def test_a_concept_the_study_plan_places_nowhere_is_said_so_before_the_domains(
    service: ConversationService,
) -> None:
    """ "is that on the exam?" after Data Ingestion, which the study plan reads under no
    domain, pasted the six domains with no yes or no: a first line says so."""
    await say(service, thread("what is data ingestion in finops"))
    reply = await say(service, thread("is that on the exam?"))
    assert (reply.kind, reply.faq_id) == ("answer", "focp-curriculum")
    assert reply.sections[0].text.startswith("Our sources don't tie “What is the Data Ingestion")


async def test_whether_the_exam_covers_a_concept_is_not_a_request_for_a_cert(
    service: ConversationService,
) -> None:
    """ "is that on the exam?" asks whether an exam covers it: never the overview."""
    await say(service, thread("what is FOCUS?"))
    reply = await say(service, thread("is that on the exam?"))
    assert reply.faq_id != "focus-analyst-what-is"


@pytest.mark.parametrize(
    ("concept", "follow_up", "shown"),
    [
        ("what does rightsizing mean?", "who owns that?", "Engineers design and run"),
        ("what is budgeting in finops", "which persona is that?", "Finance uses"),
        ("what is tag compliance", "which capability is that part of?", "Allocation assigns"),
        # "who's usually responsible": words between "who" and "responsible".
        ("what is anomaly detection in finops", "who's usually responsible for it?", "Engineers"),
        # No concept links the phases: their one FAQ places every concept in its phase.
        ("what is rate optimization", "which phase is it in?", "Optimize: rates"),
        # The phases' line that names the concept comes first.
        ("what does rightsizing mean?", "which phase?", "It sits here: Optimize"),
        ("what are the finops domains", "did they change?", "six domains"),
        ("what are the phases of finops", "what comes next?", "Start with Inform"),
        ("what is the finops maturity model", "what comes next?", "manual and top-level"),
        # Two capabilities linked: the concept's own words pick Invoicing & Chargeback.
        (
            "what's the difference between showback and chargeback",
            "which capability is that in?",
            "Invoicing & Chargeback",
        ),
        ("what are finops scopes", "has it changed?", "Technology Category"),
        ("how many capabilities are in the framework?", "did any get dropped?", "renamed"),
        ("what is forecasting in finops", "how is it measured?", "forecast-vs-actual variance"),
        (
            "what's the official definition of finops",
            "has it changed?",
            "from cloud to all technology",
        ),
    ],
)
async def test_a_concepts_persona_or_capability_is_the_one_it_links_to(
    service: ConversationService, concept: str, follow_up: str, shown: str
) -> None:
    """ "who owns that?" after a concept answers the persona it links to, not the concept's
    own answer again."""
    first = await say(service, thread(concept))
    reply = await say(service, thread(follow_up))
    assert reply.kind == "answer"
    assert reply.faq_id != first.faq_id
    assert shown in render_text(reply)


async def test_a_concept_named_like_a_program_stays_the_subject(
    service: ConversationService,
) -> None:
    """ "finops practitioner" names the FOCP too; after the Practitioner persona, "what do
    they do day to day" asks about the persona. A question that says "cert" keeps the FOCP."""
    await say(service, thread("who is the finops practitioner persona"))
    reply = await say(service, thread("and what do they actually do day to day"))
    assert (reply.kind, reply.faq_id) == ("answer", "persona-practitioner-role")
    await say(service, thread("is the finops practitioner cert any good for a finance person?"))
    reply = await say(service, thread("is it proctored or can i just do it from home"))
    assert (reply.kind, reply.program) == ("answer", "focp")


async def test_an_exam_question_in_a_framework_thread_means_the_focp(
    service: ConversationService,
) -> None:
    """Studying the Framework, "how long is the exam again?" is about the FOCP, whose exam
    covers it, with the other certifications offered; not a menu of nine."""
    await say(service, thread("what is the Budgeting capability?"))
    reply = await say(service, thread("how long is the exam again?"))
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "focp", "exam_length")
    text = render_text(reply)
    assert "60 minutes" in text
    assert "whose exam covers the Framework" in text


async def test_which_comes_first_after_two_concepts_is_not_about_certifications(
    service: ConversationService,
) -> None:
    """ "which one comes first?" after showback vs chargeback asks about the two concepts,
    not which of the certifications the answer mentions to take first."""
    await say(service, thread("what is the difference between showback and chargeback?"))
    reply = await say(service, thread("which one comes first?"))
    assert reply.kind == "answer"
    assert reply.faq_id == "showback-chargeback"
    assert "showback first" in render_text(reply)


async def test_a_persona_no_source_links_is_offered_not_declined(
    service: ConversationService,
) -> None:
    """ "which persona uses it?" after FOCUS, which no persona is linked to, says so and
    offers the six personas instead of "Sorry, I don't know that one"."""
    await say(service, thread("what is FOCUS?"))
    reply = await say(service, thread("which persona uses it?"))
    assert reply.kind == "suggest"
    assert render_text(reply).startswith("I can't say which persona for sure.")
    # Matching found the concept's answer again, which names no persona: offered as well.
    await say(service, thread("what is the reporting and analytics capability"))
    personas = set(service.bot.store.current.knowledge.faqs["finops-personas"].items)
    assert {s.faq_id for s in reply.suggestions} == personas
    again = await say(service, thread("who owns that?"))
    assert again.kind == "suggest"
    assert render_text(again).startswith("I can't say which persona for sure.")
    assert {s.faq_id for s in again.suggestions} == personas


async def test_how_many_after_a_list_is_that_list(service: ConversationService) -> None:
    """ "how many are there?" after the core personas counts them: the list's answer."""
    first = await say(service, thread("tell me about the core personas"))
    reply = await say(service, thread("how many are there? i keep seeing different numbers"))
    assert (reply.kind, reply.faq_id) == ("answer", first.faq_id)


async def test_a_program_to_do_first_is_the_threads_prerequisite(
    service: ConversationService,
) -> None:
    """ "should i do focp first?" after AI Value asks AI Value's prerequisites (it answered
    whether the Engineer needs the FOCP)."""
    await say(service, thread("what's the AI value certification"))
    reply = await say(service, thread("should i do focp first?"))
    assert (reply.kind, reply.program, reply.attribute) == ("answer", "ai-value", "prerequisites")


async def test_where_a_concept_sits_leaves_it_the_subject(service: ConversationService) -> None:
    """ "which domain?" after anomaly management says where it sits; "who owns that?" next
    still asks about anomaly management (Engineering), not about the domain."""
    await say(service, thread("what is the anomaly management capability"))
    domain = await say(service, thread("which domain?"))
    assert domain.faq_id == "domain-understand-capabilities"
    owner = await say(service, thread("who owns that?"))
    assert owner.faq_id == "persona-engineering-role"


async def test_only_the_phases_answer_is_led_by_the_line_naming_the_concept(
    service: ConversationService,
) -> None:
    """ "It sits here: …" places a concept in a phase; a history aside is not a place."""
    await say(service, thread("how many capabilities are in the framework?"))
    reply = await say(service, thread("did any get dropped?"))
    assert reply.faq_id == "capabilities-2026-changes"
    assert "It sits here" not in render_text(reply)


async def test_simpler_gives_a_lists_items_by_name(service: ConversationService) -> None:
    """ "simpler please" after the Framework's parts lists them by name alone."""
    await say(service, thread("what is the finops framework?"))
    reply = await say(service, thread("simpler please"))
    text = reply.sections[0].text
    assert "\n- Personas\n" in text
    assert "core roles" not in text


async def test_which_first_after_a_figure_for_two_programs_orders_them(
    service: ConversationService,
) -> None:
    """ "which should I do first?" after the prices of the FOCUS Analyst and the FOCP
    orders those two, as after a comparison; it answered who the FOCP is for."""
    await say(service, thread("is the FOCUS analyst cheaper than the FOCP?"))
    reply = await say(service, thread("which should I do first?"))
    assert reply.title == "Which to take first"
    text = render_text(reply)
    assert "FOCUS Analyst" in text
    assert "(FOCP)" in text


async def test_a_bare_price_after_a_role_answer_is_the_named_programs(
    service: ConversationService,
) -> None:
    """ "how much?" after the SRE's certifications asks which of the ones they name that
    have a price, not the FOCP's alone as if the thread were about the Framework."""
    await say(service, thread("im an SRE, which finops cert makes sense"))
    reply = await say(service, thread("how much?"))
    assert (reply.kind, reply.attribute) == ("clarify", "price")
    assert [a.label for a in reply.actions if a.kind == "ask"] == SRE_PRICED
    picked = await say(service, thread("the engineer one"))
    assert (picked.kind, picked.program, picked.attribute) == ("answer", "foce", "price")


async def test_a_short_ask_to_explain_the_concept_again_is_not_declined(
    service: ConversationService,
) -> None:
    """ "like what specifically?" or "still confused, simpler?" after a concept matched no
    FAQ and was declined, dropping the thread: the concept is explained again."""
    await say(service, thread("what counts as cloud waste"))
    specific = await say(service, thread("like what specifically?"))
    assert (specific.kind, specific.faq_id) == ("answer", "term-waste")
    simpler = await say(service, thread("still confused, simpler?"))
    assert (simpler.kind, simpler.faq_id) == ("answer", "term-waste")
    elsewhere = await say(service, thread("can you help me book a flight to paris please"))
    assert elsewhere.kind == "decline"


async def test_details_are_what_a_request_for_specifics_gets(
    service: ConversationService,
) -> None:
    """Unit economics has details behind More: "like what specifically?" shows them, and
    "simpler?" its first sentence alone (the same answer again would be no simpler)."""
    first = await say(service, thread("what is unit economics"))
    specific = await say(service, thread("like what specifically?"))
    assert specific.faq_id == "unit-economics"
    assert specific.sections[0].text != first.sections[0].text
    simpler = await say(service, thread("still confused, simpler?"))
    assert simpler.faq_id == "unit-economics"
    assert (simpler.title or "").startswith("In short: ")
    assert first.sections[0].text.startswith(simpler.sections[0].text)
    assert len(simpler.sections[0].text) < len(first.sections[0].text)
    again = await say(service, thread("simpler please"))
    assert again.sections[0].text == simpler.sections[0].text


@pytest.mark.parametrize(
    ("concept", "lead"),
    [
        ("what are the phases of finops", "no worked example"),
        ("what is a finops scope", "example my sources give is in the answer above"),
    ],
)
async def test_an_example_asked_for_says_where_the_sources_give_one(
    service: ConversationService, concept: str, lead: str
) -> None:
    """ "example?" shows the answer's details; when they hold no example, it says so first
    (or that the example is in the answer already) instead of passing the rest off as one."""
    await say(service, thread(concept))
    reply = await say(service, thread("example?"))
    assert reply.title is not None
    assert reply.title.startswith("More: ")
    assert lead in reply.sections[0].text


@pytest.mark.parametrize("follow_up", ["example?", "more details?"])
async def test_more_of_an_answer_that_has_no_more_says_so_instead_of_repeating_it(
    service: ConversationService, follow_up: str
) -> None:
    """ "example?" after forecasting vs budgeting (one paragraph, no details) printed the same
    paragraph again; now it says that paragraph is all the sources have, with the related
    questions to go on with."""
    first = await say(service, thread("what's the difference between forecasting and budgeting?"))
    assert first.faq_id == "forecasting-vs-budgeting"
    assert not first.more
    reply = await say(service, thread(follow_up))
    assert reply.faq_id == "forecasting-vs-budgeting"
    shown = render_text(reply)
    assert first.sections[0].text not in shown
    assert "the answer above is all" in shown.lower()
    assert [a.value for a in reply.actions if a.kind == "faq"]


async def test_next_and_previous_move_along_the_list_an_item_came_from(
    service: ConversationService,
) -> None:
    """After the four domains and "the first one?", "and the next one?" gave the first
    again and "and the last domain" the first as well."""
    await say(service, thread("what are the finops domains"))
    first = await say(service, thread("the first one?"))
    assert first.faq_id == "domain-understand-capabilities"
    steps = {
        "and the next one?": "domain-quantify-capabilities",
        "and the last domain": "domain-manage-capabilities",
        "the one before it?": "domain-optimize-capabilities",
    }
    for follow_up, faq_id in steps.items():
        reply = await say(service, thread(follow_up))
        assert reply.faq_id == faq_id, follow_up


async def test_a_list_item_asked_by_position_in_a_first_message_is_that_item(
    service: ConversationService,
) -> None:
    """ "whats the first finops principle" printed all six; "the next principle?" then gave
    a caveat from the list's details instead of the second."""
    first = await say(service, thread("whats the first finops principle"))
    assert first.faq_id == "principle-collaboration"
    second = await say(service, thread("and the next principle?"))
    assert second.faq_id == "principle-business-value"
    numbered = await say(service, thread("whats principle 3"))
    assert numbered.faq_id == "principle-ownership"


async def test_why_a_concept_matters_is_asked_of_that_concept(
    service: ConversationService,
) -> None:
    """ "what's the point of tagging?" is why tagging matters (allocation), and "why does it
    matter so much?" after it stays with allocation, not what FinOps is."""
    first = await say(service, thread("what's the point of tagging in finops"))
    assert (first.kind, first.faq_id) == ("answer", "cost-allocation-concept")
    why = await say(service, thread("why does it matter so much"))
    assert why.faq_id == "cost-allocation-concept"


@pytest.mark.parametrize("concept", ["what is cloud+?", "what does the procurement persona do?"])
async def test_why_it_matters_stays_with_the_concept_not_finops(
    service: ConversationService, concept: str
) -> None:
    """ "why does it matter?" after Cloud+ answered what FinOps is (an alternate "what is
    finops and why does it matter"): the concept's own answer says what it is for."""
    first = await say(service, thread(concept))
    why = await say(service, thread("why does it matter?"))
    assert why.faq_id == first.faq_id


async def test_a_concept_linking_two_capabilities_offers_both(
    service: ConversationService,
) -> None:
    """Forecasting vs budgeting links two capabilities: "which capability is that?" offers
    both rather than guessing one or repeating the comparison."""
    await say(service, thread("forecasting vs budgeting?"))
    reply = await say(service, thread("which capability is that?"))
    assert reply.kind == "suggest"
    assert {s.faq_id for s in reply.suggestions} == {
        "forecasting-capability",
        "budgeting-capability",
    }


@pytest.mark.parametrize("price", ["cost?", "and the cost?", "how much?"])
async def test_the_price_alone_after_a_path_asks_which_of_its_programs(
    service: ConversationService, price: str
) -> None:
    """ "cost?" is only the price: after a path it asks which listed program, like "how
    much is it?", while "cost" inside a question ("cost allocation") is no price."""
    path = await say(service, thread("/finops-path finance analyst"))
    reply = await say(service, thread(price))
    assert (reply.kind, reply.attribute) == ("clarify", "price")
    names = service.bot.store.current.knowledge.programs
    assert {action.label for action in reply.actions} <= {names[p].name for p in path.listed}
    concept = await say(service, thread("what is cost allocation?", place="C1:200.1"))
    assert concept.attribute is None


async def test_which_first_after_a_comparison_orders_the_two_programs(
    service: ConversationService,
) -> None:
    """ "which should I take first?" after FOCP vs FOCE answered a FinOpsSchool FAQ about
    levels; it now orders the two compared programs from their take_after data, and "the
    second one" picks from them."""
    compared = await say(service, thread("whats the difference between FOCP and FOCE"))
    assert compared.faq_id == "focp-vs-foce"
    reply = await say(service, thread("which should I take first"))
    shown = render_text(reply)
    assert reply.title == "Which to take first"
    focp, foce = "FinOps Certified Practitioner (FOCP)", "FinOps Certified Engineer (FOCE)"
    assert shown.index(f"{focp} first") < shown.index(f"{foce} after")
    second = await say(service, thread("how much is the second one?"))
    assert (second.program, second.attribute) == ("foce", "price")


async def test_both_after_a_comparison_answers_for_each_program(
    service: ConversationService,
) -> None:
    """ "how much are they both?" after FOCP vs FOCE gave the FOCE's price alone."""
    await say(service, thread("focp vs foce which one should i do first"))
    reply = await say(service, thread("ok and how much are they both"))
    assert (reply.kind, reply.attribute) == ("answer", "price")
    shown = render_text(reply)
    assert "FinOps Certified Practitioner (FOCP)" in shown
    assert "FinOps Certified Engineer (FOCE)" in shown


@pytest.mark.parametrize(
    "question", ["what should i do next", "what comes after that?", "and after that?", "then what?"]
)
async def test_what_next_in_a_programs_thread_says_what_follows_it(
    service: ConversationService, question: str
) -> None:
    """ "what should I do next?" after the FOCP was declined: the programs whose
    prerequisites name the FOCP follow it; after the FOCE, its next certifications."""
    await say(service, thread("how much is the FOCP exam?"))
    reply = await say(service, thread(question))
    assert (reply.kind, reply.program) == ("answer", "focp")
    shown = render_text(reply)
    assert "FinOps Certified Professional (FCP)" in shown
    assert "FinOps Certified Engineer (FOCE)" in shown
    await say(service, thread("tell me about the FOCE", place="C1:300.1"))
    foce = await say(service, thread(question, place="C1:300.1"))
    assert foce.program == "foce"
    assert render_text(foce).count("FinOps Certified Professional") == 1  # named once


async def test_news_of_a_pass_gets_congratulations_and_what_comes_next(
    service: ConversationService,
) -> None:
    """ "just passed focp :tada:" answered the FOCP pass-rate FAQ; not having passed, or a
    question about passing, is read as usual."""
    reply = await say(service, thread("just passed focp :tada:"))
    shown = render_text(reply)
    assert (reply.kind, reply.program) == ("answer", "focp")
    assert "Congratulations" in shown
    assert "FinOps Certified Professional (FCP)" in shown
    for text in ("I haven't passed the FOCP yet", "how do I pass the FOCP"):
        other = await say(service, thread(text, place="C1:400.1"))
        assert "Congratulations" not in render_text(other)


@pytest.mark.parametrize("musing", ["hmm", "interesting", "i see"])
async def test_musing_in_a_thread_is_not_answered_with_the_program_again(
    service: ConversationService, musing: str
) -> None:
    """ "hmm" after the FOCE's overview repeated that overview; the thread keeps its topic."""
    await say(service, thread("tell me about the FOCE"))
    reply = await say(service, thread(musing))
    assert (reply.kind, reply.faq_id) == ("greeting", None)
    assert "Anything else" in render_text(reply)
    after = await say(service, thread("how much is it?"))
    assert (after.program, after.attribute) == ("foce", "price")


async def test_the_cheapest_one_after_a_path_lists_each_price(
    service: ConversationService,
) -> None:
    """ "the cheapest one?" after a path was declined: each listed program's price lets the
    person compare; "can I use notes?" in an exam thread asks its format."""
    path = await say(service, thread("what certs are there for finance people"))
    assert path.kind == "path"
    reply = await say(service, thread("the cheapest one?"))
    assert (reply.kind, reply.attribute) == ("answer", "price")
    assert reply.title == "Price, by certification"
    await say(service, thread("is the FOCP exam open book", place="C1:500.1"))
    notes = await say(service, thread("can I use notes?", place="C1:500.1"))
    assert (notes.program, notes.attribute) == ("focp", "format")


async def test_a_comparison_keeps_its_last_program_as_the_topic(
    service: ConversationService,
) -> None:
    """Both compared programs are listed, but a bare follow-up is still about the last."""
    await say(service, thread("FOCP vs FOCE?"))
    reply = await say(service, thread("how much is it?"))
    assert (reply.program, reply.attribute) == ("foce", "price")


async def test_a_follow_up_that_would_repeat_an_answer_gets_its_details(
    service: ConversationService,
) -> None:
    """ "give me an example" after what unit economics is matched the same FAQ: the same
    short answer again said nothing new, so the follow-up gets the answer's details."""
    first = await say(service, thread("what is unit economics"))
    assert first.faq_id == "unit-economics"
    assert any(a.kind == "more" for a in first.actions)
    again = await say(service, thread("give me an example"))
    assert again.faq_id == "unit-economics"
    assert again.title == f"More: {first.title}"
    assert render_text(again) != render_text(first)
    assert "per API call" in render_text(again)


async def test_a_follow_up_the_first_part_answers_gets_the_first_part_again(
    service: ConversationService,
) -> None:
    """ "what happens in the second phase?" after the lifecycle is answered by the second
    phase of the list in the first part; the details (which certification covers them)
    are not it."""
    first = await say(service, thread("what's the FinOps lifecycle"))
    assert first.faq_id == "finops-lifecycle-phases"
    again = await say(service, thread("what happens in the second phase"))
    assert again.faq_id == "finops-lifecycle-phases"
    assert again.sections[0].text.startswith("Optimize: rates and commitment discounts")
    assert again.title == first.title


async def test_an_attribute_pointing_back_at_named_programs_asks_which(
    service: ConversationService,
) -> None:
    """The beginner answer names five entry certifications: "how long should I study for
    it?" asks which of them, instead of repeating the beginner answer."""
    first = await say(service, thread("i'm new to finops, which cert is the entry level one?"))
    assert first.faq_id == "beginner-start"
    reply = await say(service, thread("how long should i study for it"))
    assert (reply.kind, reply.attribute) == ("clarify", "study_time")
    names = service.bot.store.current.knowledge.programs
    assert names["focp"].name in {action.label for action in reply.actions}


async def test_an_attribute_after_a_path_offers_only_its_programs(
    service: ConversationService,
) -> None:
    """When several listed programs have the figure, the choice is between them alone."""
    path = await say(service, thread("/finops-path finance analyst"))
    reply = await say(service, thread("how much does it cost?"))
    offered = {action.label for action in reply.actions}
    names = service.bot.store.current.knowledge.programs
    assert reply.kind == "clarify"
    assert offered <= {names[p].name for p in path.listed}
    assert names["focp"].name in offered


@pytest.mark.parametrize("question", ["why that order?", "why is the first one first?"])
async def test_why_a_path_is_in_its_order(service: ConversationService, question: str) -> None:
    """ "why that order?" after a finance path says which program builds on which."""
    path = await say(service, thread("/finops-path finance analyst"))
    assert path.listed[:2] == ("focp", "focus-analyst")
    reply = await say(service, thread(question))
    assert reply.answered
    text = render_text(reply)
    assert "FinOps Certified Practitioner (FOCP) first" in text
    assert "FinOps Certified Professional (FCP) after FinOps Certified Practitioner" in text
    # The path stays the thread's topic.
    after = await say(service, thread("how much is the second one?"))
    assert (after.program, after.attribute) == ("focus-analyst", "price")


async def test_why_that_order_without_a_path_is_not_about_one(
    service: ConversationService,
) -> None:
    """With no path in the thread, "why that order?" gets no path explanation."""
    reply = await say(service, thread("why that order?"))
    assert "Why the path" not in render_text(reply)


async def test_a_path_list_stays_in_its_thread(service: ConversationService) -> None:
    """Another thread's "how much is the second one?" knows no list and names no program."""
    await say(service, thread("/finops-path sre 3 years"))
    other = dataclasses.replace(thread("how much is the second one?"), place="C1:9.9")
    reply = await say(service, other)
    assert reply.program is None


async def test_two_programs_no_faq_compares_are_shown_side_by_side(
    service: ConversationService,
) -> None:
    """ "FCP vs FOCE?" answered the FOCP-vs-FOCE FAQ, a comparison nobody asked for; with no
    FAQ comparing the two, each one's summary and figures come side by side, and the thread
    keeps both, so "the second one" is the FOCE."""
    reply = await say(service, thread("fcp vs foce?"))
    shown = render_text(reply)
    assert reply.kind == "answer"
    assert reply.faq_id is None
    assert "FOCP and FOCE" not in shown
    fcp, foce = "FinOps Certified Professional (FCP)", "FinOps Certified Engineer (FOCE)"
    assert shown.index(fcp) < shown.index(foce)
    assert "US$325 for the exam alone" in shown  # the FOCE's exam-only price
    assert "Source:" in shown
    second = await say(service, thread("how long is the exam of the second one"))
    assert (second.program, second.attribute) == ("foce", "exam_length")


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("focp vs foce", "focp-vs-foce"),  # an FAQ compares these two
        ("foce or fcp first?", "foce-prerequisites"),  # an order, not a comparison
        ("Is the Certified FinOps Architect worth it compared to the FOCP?", "worth-it"),
    ],
)
async def test_a_comparison_with_an_faq_of_its_own_keeps_it(
    service: ConversationService, question: str, faq_id: str
) -> None:
    """Only a comparison no FAQ answers is built from the programs' figures."""
    reply = await say(service, thread(question))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)


async def test_an_item_picked_from_a_list_is_the_topic_and_the_list_stays(
    service: ConversationService,
) -> None:
    """ "give me an example" after "which one is about ownership?" (from the six principles)
    gave the list's details again; the picked principle is the topic now, and "and the
    fourth one?" still picks from the list."""
    await say(service, thread("what are the finops principles"))
    picked = await say(service, thread("which one is about ownership"))
    assert picked.faq_id == "principle-ownership"
    example = await say(service, thread("give me an example"))
    assert example.faq_id == "principle-ownership"
    fourth = await say(service, thread("and the fourth one?"))
    assert fourth.faq_id == "principle-data-timely"


async def test_a_cert_for_a_concept_no_certification_is_named_for_is_the_focp_exam(
    service: ConversationService,
) -> None:
    """ "is there a cert for it?" after anomaly management, which no certification is named
    for, said "my sources say no more"; the FOCP exam, and where it covers the concept, is
    the answer there is. FOCUS, which has its own certification, still gets it."""
    await say(service, thread("what is anomaly management"))
    exam = await say(service, thread("is there a cert for it?"))
    assert exam.faq_id == "focp-curriculum"
    assert "FinOps Capabilities" in render_text(exam)
    await say(service, thread("what's FOCUS", place="C3:1.1"))
    own = await say(service, thread("is there a cert for it?", place="C3:1.1"))
    assert own.faq_id == "focus-analyst-what-is"


async def test_which_of_two_programs_first_is_their_taking_order(
    service: ConversationService,
) -> None:
    """ "FOCP or FOCE first?" answered what the FOCP is; a prerequisite question that says
    "first" is still the prerequisite's answer."""
    order = await say(service, thread("FOCP or FOCE first?"))
    shown = render_text(order)
    assert shown.startswith("Which to take first")
    assert shown.index("FinOps Certified Practitioner (FOCP) first") < shown.index("(FOCE)")
    needed = await say(service, thread("do I need the FOCP first for the FOCE?", place="C2:1.1"))
    assert not render_text(needed).startswith("Which to take first")


async def test_another_item_of_the_same_list_is_named_alone(
    service: ConversationService,
) -> None:
    """ "and product?" after what Procurement does repeated Procurement ("product" is a word
    of many FAQs); the Product persona, from the same list, is what was asked."""
    await say(service, thread("what does procurement do in finops?"))
    product = await say(service, thread("and product?"))
    assert product.faq_id == "persona-product-role"
    leaders = await say(service, thread("what about leadership?"))
    assert leaders.faq_id == "persona-leadership-role"
    price = await say(service, thread("and how much does the focp cost?"))
    assert (price.program, price.attribute) == ("focp", "price")


async def test_the_issuer_named_in_a_follow_up_picks_among_the_programs_compared(
    service: ConversationService,
) -> None:
    """ "how much is the FinOpsSchool one?" after FinOpsSchool's and the Foundation's
    professionals were compared gave the Foundation's FCP price; FinOpsSchool's has none in
    our sources, which is what the person should hear."""
    await say(
        service,
        thread(
            "what's the difference between FinOpsSchool's Certified FinOps Professional and "
            "the FinOps Foundation's FinOps Certified Professional?"
        ),
    )
    reply = await say(service, thread("how much is the finopsschool one"))
    shown = render_text(reply)
    assert reply.attribute == "price"
    assert set((reply.data or {})["programs"]) == {"professional-a", "professional-b"}
    assert "don't give the price" in shown
    assert "US$500" not in shown
    assert len(reply.links) == len(set(reply.links))  # one issuer page, cited once


async def test_comparing_the_threads_program_with_another_one(
    service: ConversationService,
) -> None:
    """ "how is it different from the FOCUS Analyst one?" after the FOCE answered the FOCUS
    Analyst's price; "it" is the FOCE, so the two come side by side. Where an FAQ compares
    the two ("how does it compare to the FCP?" after the FOCP), that FAQ answers."""
    await say(service, thread("what's the FinOps Certified Engineer cert actually about?"))
    reply = await say(service, thread("and how is it different from the FOCUS analyst one"))
    assert reply.title == "FinOps Certified Engineer (FOCE) vs FinOps Certified FOCUS Analyst"
    await say(service, thread("tell me about the focp", place="C1:300.1"))
    faq = await say(service, thread("how does it compare to the fcp", place="C1:300.1"))
    assert faq.faq_id == "focp-vs-fcp"


async def test_they_in_the_plural_after_a_comparison_asks_about_each(
    service: ConversationService,
) -> None:
    """ "how much are they?" after "FCP vs FOCE?" asked which one was meant; "they are"
    asks about each of them, as "both" does."""
    await say(service, thread("fcp vs foce?"))
    reply = await say(service, thread("how much are they"))
    assert (reply.kind, reply.attribute) == ("answer", "price")
    assert (reply.data or {})["programs"] == ["fcp", "foce"]


async def test_a_short_follow_up_naming_an_item_of_the_last_list_leads_with_it(
    service: ConversationService,
) -> None:
    """ "what about operate?" after the Inform phase gets the Operate line first, from the
    same answer, not another FAQ that mentions the word; "which one is rightsizing in?" the
    line that holds it."""
    first = await say(service, thread("what happens in the inform phase?"))
    assert first.sections[0].text.startswith("Inform:")
    reply = await say(service, thread("what about operate"))
    assert reply.faq_id == "finops-lifecycle-phases"
    assert reply.sections[0].text.startswith("Operate: continuous evaluation")
    assert "rightsizing" not in render_text(reply)
    held = await say(service, thread("which one is rightsizing in?"))
    assert held.faq_id == "finops-lifecycle-phases"
    assert held.sections[0].text.startswith("Optimize: rates and commitment discounts")


async def test_a_follow_up_the_sources_do_not_answer_says_so(
    service: ConversationService,
) -> None:
    """ "how is it calculated?" after showback finds showback again, with none of its words
    in the answer: a line says the sources say no more than the short form under it, with
    More and related questions, instead of the same answer twice; a follow-up the answer
    speaks to gets it."""
    first = await say(service, thread("what is showback?"))
    assert first.faq_id == "showback-chargeback"
    reply = await say(service, thread("how is it calculated?"))
    shown = render_text(reply)
    assert shown.startswith("My sources say no more on that than this:")
    assert len(shown) < len(render_text(first))
    assert [a for a in reply.actions if a.kind == "faq"]
    assert [a for a in reply.actions if a.kind == "more"]
    said = await say(service, thread("ok and which one is billed to the teams?"))
    assert said.faq_id == "showback-chargeback"
    assert "My sources say no more" not in render_text(said)


@pytest.mark.parametrize("ask", ["link?", "where do I sign up?", "website?"])
async def test_a_link_asked_after_a_program_is_its_page(
    service: ConversationService, ask: str
) -> None:
    """ "link?" after the FOCE repeated what the FOCE is; it asks where to get it: the page,
    to click. A link to another resource ("the FOCP handbook") is not the program's page."""
    await say(service, thread("tell me about FOCE"))
    reply = await say(service, thread(ask))
    assert (reply.program, reply.attribute) == ("foce", "delivery")
    assert "Its page, where you sign up: https://learn.finops.org/" in render_text(reply)
    other = await say(service, thread("link to the focp handbook?"))
    assert other.attribute != "delivery"


async def test_the_dearest_after_the_cheapest_ranks_the_other_way(
    service: ConversationService,
) -> None:
    """ "and the most expensive?" after the cheapest certifications ranks them highest first,
    not the usual certification's price again."""
    await say(service, thread("which finops cert is the cheapest?"))
    reply = await say(service, thread("and the most expensive?"))
    assert reply.title == "Certifications by price, highest first"


async def test_list_them_after_the_first_part_of_a_list_gives_all_of_it(
    service: ConversationService,
) -> None:
    """ "list them pls" after the capabilities' first part had repeated that part, two of
    the four domains: the whole list comes at once."""
    first = await say(service, thread("how many capabilities r there"))
    assert first.faq_id == "finops-capabilities"
    assert "- Manage:" not in render_text(first)
    reply = await say(service, thread("list them pls"))
    shown = render_text(reply)
    assert "- Understand:" in shown
    assert "- Manage:" in shown
    assert not [a for a in reply.actions if a.kind == "more"]


async def test_the_next_one_after_a_phase_is_not_called_unanswered(
    service: ConversationService,
) -> None:
    """ "and the next one?" asks nothing the answer lacks: never "my sources don't answer"."""
    await say(service, thread("what is the inform phase"))
    reply = await say(service, thread("and the next one?"))
    assert reply.faq_id == "finops-lifecycle-phases"
    assert "My sources say no more" not in render_text(reply)


async def test_how_many_times_after_a_retake_question_is_the_retake_policy(
    service: ConversationService,
) -> None:
    """ "how many times" after "can I retake the FOCP?" had got the exam's format."""
    await say(service, thread("can i retake the focp if i fail"))
    reply = await say(service, thread("how many times"))
    assert (reply.program, reply.attribute) == ("focp", "retakes")


async def test_the_exam_of_a_program_with_no_exam_faq_is_its_exam_facts(
    service: ConversationService,
) -> None:
    """ "exam?" after Technology Value's price gave its price FAQ again: with no exam
    overview FAQ, its exam facts (the format) answer."""
    await say(service, thread("tech value cert - what is it"))
    await say(service, thread("price"))
    reply = await say(service, thread("exam?"))
    assert (reply.program, reply.attribute) == ("tech-value", "format")


@pytest.mark.parametrize(
    ("first", "picks", "shown"),
    [
        ("what are the finops principles", ["5?", "2"], ["enabled centrally", "business value"]),
        ("what are the finops phases", ["2nd one?", "last one?"], ["Optimize:", "Operate:"]),
        ("what are the finops principles", ["and #2?"], ["business value"]),
    ],
)
async def test_a_number_or_ordinal_after_a_list_picks_that_item(
    service: ConversationService, first: str, picks: list[str], shown: list[str]
) -> None:
    """ "5?" after the six principles had said there was no list to pick from; "2nd one?"
    after the phases said the sources had no answer."""
    await say(service, thread(first))
    for pick, text in zip(picks, shown, strict=True):
        reply = await say(service, thread(pick))
        assert reply.kind == "answer"
        assert text in reply.sections[0].text + (reply.title or "")


async def test_a_follow_up_pointing_back_that_matches_nothing_keeps_the_thread(
    service: ConversationService,
) -> None:
    """ "how is it calculated?" after FOCUS matched nothing and got the generic "I don't
    know that one", dropping the thread: it is read against FOCUS, which says no more."""
    await say(service, thread("what is FOCUS"))
    reply = await say(service, thread("how is it calculated?"))
    assert (reply.kind, reply.faq_id) == ("answer", "focus-spec")
    assert render_text(reply).startswith("My sources say no more on that than this:")


async def test_a_short_question_of_known_words_is_asked_of_the_concept(
    service: ConversationService,
) -> None:
    """ "what's the risk?" after commitment discounts names nothing, yet every word of it
    is the knowledge's: it asks about the concept. A word the knowledge never uses ("what's
    the weather?") is still declined."""
    await say(service, thread("what's a commitment discount"))
    risk = await say(service, thread("what's the risk?"))
    assert (risk.kind, risk.faq_id) == ("answer", "term-commitment-discounts")
    assert render_text(risk).startswith("My sources say no more on that than this:")
    weather = await say(service, thread("what's the weather?"))
    assert weather.kind == "decline"
