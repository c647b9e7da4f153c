"""The path recommender: free text in, an ordered, sourced plan per program out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.core.bot import Bot
from bot.core.paths import parse_experience
from bot.core.reply import Message, Reply
from bot.render.text import render_text


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("sre 3 years", 36),
        ("platform eng 5y", 60),
        ("I'm a data engineer with 3 years on AWS", 36),
        ("eng manager new to cloud", 0),
        ("2+ yrs", 24),
        ("18 months", 18),
        ("two years", 24),
        ("6mo", 6),
        ("eighteen months", 18),
        ("two and a half years", 30),
        ("a year and a half", 18),
        ("i am an sre", None),
        ("sre", None),
    ],
)
def test_experience_parsing(text: str, months: float | None) -> None:
    """Years and months in the forms people type become months; 'am' is not a month."""
    assert parse_experience(text) == months


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("sre", "sre"),
        ("I'm a data engineer with 3 years on AWS", "data-engineer"),
        ("platform eng 5y", "platform-engineer"),
        ("eng manager new to cloud", "engineering-manager"),
        ("devops --program architect", "devops-engineer"),
        ("devpos enginer 2 yrs", "devops-engineer"),
        ("site reliability engineer", "sre"),
        ("hi! I do data engineering, which learning path fits me best?", "data-engineer"),
        ("product manager 2 years", "product-owner"),
        ("full stack developer, 3 yrs", "software-engineer"),
        ("internal developer platform engineer", "platform-engineer"),
    ],
)
def test_role_parsing(bot: Bot, text: str, role: str) -> None:
    """Roles are found by alias, abbreviation or with small typos."""
    rec = bot.recommend(text)
    assert rec.query.role is not None
    assert rec.query.role.id == role


def test_a_typed_role_question_with_typos_is_still_a_path(bot: Bot) -> None:
    """ "whch cert for a prodcut manager" is the path question for product managers, not the
    engineering manager's FAQ that its surviving words ("cert", "manager") found."""
    reply = bot.handle(Message(text="whch cert for a prodcut manager"))
    assert reply.kind == "path"
    assert (reply.data or {})["role"]["id"] == "product-owner"


def test_sre_gets_each_guides_own_figure(bot: Bot) -> None:
    """Guides disagree on SRE; each program's plan keeps its own recommendation."""
    rec = bot.recommend("sre 3 years")
    by_program = {p.program.id: [s.level.id for s in p.steps] for p in rec.plans}
    assert by_program["architect"] == ["architect-professional"]
    assert by_program["professional-a"] == ["pro-a-advanced"]
    assert by_program["professional-b"] == ["pro-b-professional"]
    extras = {p.program.id: p.extras for p in rec.plans}
    assert "SRE Optimization" in " ".join(extras["professional-b"])


@pytest.mark.parametrize(
    ("text", "ignored"), [("sre -5 years", "-5 years"), ("sre 500 years", "500 years")]
)
def test_experience_outside_0_to_50_years_is_named_not_used(
    bot: Bot, text: str, ignored: str
) -> None:
    """'-5 years' is not read as 5 years, nor '500 years' silently dropped: the reply says
    which experience it ignored and why, and no prerequisite counts it."""
    reply = bot.path(text)
    assert reply.kind == "path"
    rendered = render_text(reply)
    assert f"Experience: I read experience as 0 to 50 years; '{ignored}' ignored" in rendered
    assert "you have" not in rendered
    assert reply.data is not None
    assert (reply.data["experience_months"], reply.data["experience_ignored"]) == (None, ignored)
    # Still fine: a range's dash, and the edge of the range.
    assert bot.recommend("sre 3-5 years").query.months == 36
    assert bot.recommend("sre 50 years").query.ignored_experience is None


def test_path_shows_programs_that_fit_and_lists_the_rest_in_one_line(bot: Bot) -> None:
    """Programs with levels for the role get a section; the others share one line."""
    rec = bot.recommend("devops 2 years")
    fitting = [p.program.name for p in rec.plans if p.steps or p.learning_path]
    others = [p.program.name for p in rec.plans if p.program.name not in fitting]
    assert fitting
    assert others
    reply = bot.path("devops 2 years")
    headings = [section.heading for section in reply.sections]
    assert headings == [
        f"{p.program.name} (issued by {p.program.issuer})"
        for p in rec.plans
        if p.program.name in fitting
    ] + ["Other programs"]
    assert reply.sections[-1].text == (
        f"No level recommended for DevOps Engineer by: {'; '.join(others)}. "
        "Ask about one with /finops-path ROLE --program NAME."
    )
    assert "does not recommend a level" not in render_text(reply)
    # --json keeps every program, each with its note.
    assert reply.data is not None
    assert len(reply.data["programs"]) == len(rec.plans)
    # Asked about one program that has nothing for the role: its own section says so.
    fcp = bot.path("devops --program fcp")
    assert [s.heading for s in fcp.sections] == [
        "FinOps Certified Professional (FCP) (issued by FinOps Foundation)"
    ]
    assert "does not recommend a level for DevOps Engineer" in fcp.sections[0].text


@pytest.mark.parametrize("role", ["cto", "sre 3 years", "finance analyst", "devops 1 year"])
def test_a_program_comes_after_those_it_says_to_take_first(bot: Bot, role: str) -> None:
    """A CTO's path lists the FOCP before Technology Value, whose prerequisites name it."""
    order = [plan.program.id for plan in bot.recommend(role).plans if plan.steps]
    for i, program in enumerate(order):
        earlier = bot.store.current.knowledge.programs[program].take_after
        assert not set(earlier) & set(order[i + 1 :]), (program, order)
    if role == "cto":
        assert order.index("focp") < order.index("tech-value") < order.index("fcp")
    # The reply and "the second one" follow the same order (programs that only name a
    # learning path for the role come after these).
    assert bot.path(role).listed[: len(order)] == tuple(order)


def test_the_credential_others_build_on_comes_first(bot: Bot) -> None:
    """Nothing says to take the FOCP before FOCUS Analyst, but four programs build on the FOCP:
    a finance path starts with it, not with the analyst credential nothing builds on."""
    order = [plan.program.id for plan in bot.recommend("finance analyst").plans if plan.steps]
    assert order.index("focp") < order.index("focus-analyst")
    assert order[0] == "focp"


def test_path_cli_goal_takes_several_words() -> None:
    """`path sre 3 years --goal lead cost reviews` works as the usage shows, unquoted."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "path",
            "--json",
            "sre",
            "3",
            "years",
            "--goal",
            "lead",
            "cost",
            "reviews",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out)
    assert (data["role"]["id"], data["experience_months"], data["goal"]) == (
        "sre",
        36,
        "lead cost reviews",
    )


def test_named_program_only(bot: Bot) -> None:
    """--program limits the plan to that program, levels in recommended order."""
    reply = bot.path("devops --program architect")
    assert reply.kind == "path"
    assert reply.data is not None
    programs = reply.data["programs"]
    assert [p["program"] for p in programs] == ["architect"]
    assert [s["level"] for s in programs[0]["steps"]] == [
        "architect-foundational",
        "architect-professional",
    ]


def test_prerequisites_checked_against_experience(bot: Bot) -> None:
    """2+ years is met with 5 years, missing with 1 year, unknown when unstated."""

    def status(text: str) -> str:
        rec = bot.recommend(text, "architect")
        step = next(s for s in rec.plans[0].steps if s.level.id == "architect-professional")
        return next(p.status for p in step.prerequisites if "2+" in p.text)

    assert status("sre 5 years") == "met"
    assert status("sre 1 year") == "not-met"
    assert status("sre") == "unknown"


def test_a_level_required_by_a_recommended_one_comes_first(bot: Bot) -> None:
    """A CTO's Architect path starts at the Professional level the Advanced level requires."""
    rec = bot.recommend("cto 20 years", "architect")
    steps = rec.plans[0].steps
    assert [s.level.id for s in steps] == ["architect-professional", "architect-advanced"]
    assert steps[0].why.startswith("Comes first: Certified FinOps Architect – Advanced Level")
    advanced = next(p for p in steps[1].prerequisites if "Professional level" in p.text)
    assert advanced.status == "met"
    text = render_text(bot.path("cto 20 years --program architect"))
    assert "missing" not in text
    assert text.index("– Professional Level") < text.index("– Advanced Level")


def test_a_level_a_path_already_holds_is_not_added_twice(bot: Bot) -> None:
    """An engineering manager's path holds the Professional level once, before Advanced."""
    rec = bot.recommend("eng manager new to cloud", "architect")
    levels = [s.level.id for s in rec.plans[0].steps]
    assert levels.count("architect-professional") == 1
    assert levels.index("architect-professional") < levels.index("architect-advanced")


def _more(bot: Bot, reply: Reply) -> Reply:
    """Return what the path *reply*'s More button (or 'more' in the terminal) shows."""
    more = next(a for a in reply.actions if a.kind == "more")
    return bot.more(more.value)


def test_a_path_lists_its_levels_first_and_the_rest_behind_more(bot: Bot) -> None:
    """An SRE's path was 60 lines: the first message now lists each program's levels in
    order with where the prerequisites stand, what comes next and the source; why, the
    prep plans and the mistakes to avoid are one click away."""
    first = bot.path("sre 3 years --goal lead our finops practice")
    shown = render_text(first)
    assert len(shown.splitlines()) <= 35
    assert "1. FinOps Certified Practitioner - prerequisites: 5 to check yourself" in shown
    assert "Certified FinOps Architect – Professional Level - prerequisites met" in shown
    assert "Why:" not in shown
    assert "Prep, " not in shown
    full = _more(bot, first)
    assert full.kind == "path"
    assert not any(a.kind == "more" for a in full.actions)
    detail = render_text(full)
    for needle in ("Why: Recommended for Site Reliability Engineer", "Prep, 7 days", "Avoid:"):
        assert needle in detail
    assert "Goal: lead our finops practice" in detail  # the request is asked again whole


def test_path_text_has_everything_a_user_needs(bot: Bot) -> None:
    """The readable path shows steps, prerequisites, prep plan, mistakes, path, next, source."""
    text = render_text(_more(bot, bot.path("platform eng 5y --program architect")))
    for needle in (
        "Certified FinOps Architect – Professional Level",
        "Prerequisite [ok]",
        "Prep, 30 days",
        "Avoid:",
        "Learning path: DevOps Path",
        "Next:",
        "Source: FinOpsSchool Certified FinOps Architect guide",
        "issued by FinOpsSchool",
    ):
        assert needle in text


@pytest.mark.parametrize("text", ["", "plumber 3 years", "astronaut", "3 years"])
def test_unknown_or_missing_role_asks_instead_of_guessing(bot: Bot, text: str) -> None:
    """No known role means a clarification listing the roles, never a guessed path."""
    reply = bot.path(text)
    assert reply.kind == "clarify"
    rendered = render_text(reply)
    assert "Roles I know:" in rendered
    assert "Site Reliability Engineer" in rendered


def test_unknown_program_is_named(bot: Bot) -> None:
    """An unknown --program gets the list of programs."""
    text = render_text(bot.path("sre --program nope"))
    assert "I don't know the program 'nope'" in text
    programs = text.split("Programs I know:")[1].split(".")[0]
    for name in ("architect", "fcp", "focp", "professional-a", "professional-b"):
        assert name in programs


def test_path_help(bot: Bot) -> None:
    """/finops-path help shows usage."""
    reply = bot.path("help")
    assert reply.kind == "help"
    assert "/finops-path ROLE" in render_text(reply)


def test_natural_path_request_in_a_message(bot: Bot) -> None:
    """'which certs should I take as an sre' in chat is routed to the recommender."""
    reply = bot.handle(Message(text="which certs should I take as an SRE with 4 years?"))
    assert reply.kind == "path"
    assert reply.title == "Certification path for Site Reliability Engineer (SRE)"


@pytest.mark.parametrize(
    "text",
    [
        "best cert for a secops person?",
        "platform engineer, any cert recs?",
        # A role stated first, the question after it, as people write in a channel.
        "Hi! I'm a finance analyst and my VP suggested getting certified. Where should "
        "someone with zero engineering background start?",
        "I'm a data engineer moving us to the FOCUS export. Is there a cert that makes sense?",
    ],
)
def test_other_ways_of_asking_for_a_recommendation(bot: Bot, text: str) -> None:
    """ "Best cert for…" and "recs?" with a role get the recommendation too."""
    assert bot.handle(Message(text=text)).kind == "path"


def test_what_a_learning_path_covers_is_an_faq(bot: Bot) -> None:
    """ "What does the SRE path cover?" describes the learning path, not a recommendation."""
    reply = bot.handle(Message(text="what does the SRE learning path cover?"))
    assert reply.kind == "answer"
    assert reply.faq_id == "path-sre"
    assert bot.handle(Message(text="which path should an SRE take?")).kind == "path"


def test_path_cli_json() -> None:
    """`finops-bot path --json` prints the documented fields."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "path", "--json", "--program", "focp", "eng manager"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out)
    assert data["role"] == {"id": "engineering-manager", "name": "Engineering Manager"}
    assert data["program"] == "focp"
    step = data["programs"][0]["steps"][0]
    assert set(step) == {
        "order",
        "level",
        "name",
        "why",
        "prerequisites",
        "prep_plan",
        "common_mistakes",
    }
    assert data["programs"][0]["issuer"] == "FinOps Foundation"


def test_path_cli_lists_programs_in_help() -> None:
    """`finops-bot path --help` names every program."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "path", "--help"], check=True, capture_output=True, text=True
    ).stdout
    for name in ("architect", "focp", "fcp", "professional-a", "professional-b"):
        assert name in out


def test_a_product_owner_is_pointed_at_the_focp(bot: Bot) -> None:
    """Product owners are in the FOCP's audience (a core FinOps persona): their path starts
    there, with the reason and its source, instead of asking for a role the bot knows."""
    reply = bot.path("product manager 2 years")
    assert reply.kind == "path"
    assert reply.listed[0] == "focp"
    assert "framework site" in render_text(_more(bot, reply))


def test_a_software_engineer_gets_a_path_instead_of_a_did_you_mean(bot: Bot) -> None:
    """Developers are the most common engineers in a workspace: asked in chat, the path
    starts with the FOCP (its audience is anyone beside a FinOps team) and names the FOCE."""
    reply = bot.handle(
        Message("I'm a software engineer with 5 years of AWS experience, what cert?")
    )
    assert reply.kind == "path"
    assert reply.listed[:2] == ("focp", "foce")
    assert "Software Engineer or Developer" in render_text(reply)


@pytest.mark.parametrize(
    ("text", "role", "programs"),
    [
        ("data analyst 2 years", "data-analyst", {"focp", "focus-analyst"}),
        ("I'm a finops consultant", "consultant", {"focp", "fcp"}),
        ("sre 3 years", "sre", {"focp", "foce"}),
    ],
)
def test_roles_the_foundation_names_get_its_certifications(
    bot: Bot, text: str, role: str, programs: set[str]
) -> None:
    """Data analysts, consultants and engineers are in the Foundation's audiences."""
    rec = bot.recommend(text)
    assert rec.query.role is not None
    assert rec.query.role.id == role
    assert programs <= {plan.program.id for plan in rec.plans if plan.steps}


def test_an_engineer_takes_the_focp_before_the_engineer_certification(bot: Bot) -> None:
    """The FOCE is taken after the FOCP by the common route: an SRE's path says so."""
    order = [plan.program.id for plan in bot.recommend("sre 3 years").plans if plan.steps]
    assert order.index("focp") < order.index("foce")


def test_a_role_near_what_was_typed_is_offered_with_the_rest_kept(bot: Bot) -> None:
    """ "frontend ninja" is no role of ours: the near ones are choices that keep the experience,
    program and goal, and never the program's own name read as a role."""
    reply = bot.path("frontend ninja 3y --program architect --goal lead a team")
    assert reply.kind == "clarify"
    choices = [a for a in reply.actions if a.kind == "ask"]
    assert choices[0].label == "Software Engineer or Developer"
    assert "Cloud Architect" not in [a.label for a in choices]
    assert choices[0].value == (
        "/finops-path software engineer 36 months --program architect --goal lead a team"
    )
    picked = bot.handle(Message(choices[0].value))
    assert picked.kind == "path"
    assert picked.title == "Certification path for Software Engineer or Developer"
    # "New to cloud" is experience too: zero months, kept, not dropped as none stated.
    new = [a for a in bot.path("frontend ninja new to cloud").actions if a.kind == "ask"]
    assert new[0].value == "/finops-path software engineer 0 months"


@pytest.mark.parametrize("text", ["astronaut", "intern"])
def test_nothing_near_an_unknown_role_asks_plainly(bot: Bot, text: str) -> None:
    """ "astronaut" is near no role, nor is "intern" (though "internal developer platform
    engineer" is): the roles are listed, with no choices."""
    reply = bot.path(text)
    assert reply.kind == "clarify"
    assert not [a for a in reply.actions if a.kind == "ask"]
    assert "Which role should I plan a path for?" in render_text(reply)


@pytest.mark.parametrize(
    ("text", "program", "levels"),
    [
        ("sre 0 years", "architect", ["architect-foundational", "architect-professional"]),
        ("sre 3 months", "professional-b", ["pro-b-practitioner", "pro-b-professional"]),
        ("sre 3 years", "architect", ["architect-professional"]),
        ("sre", "architect", ["architect-professional"]),
    ],
)
def test_too_little_experience_for_a_level_starts_a_level_lower(
    bot: Bot, text: str, program: str, levels: list[str]
) -> None:
    """An SRE with no experience is not sent straight to a level asking two years: the level
    below comes first, saying why; with enough (or unstated) experience it does not."""
    steps = bot.recommend(text, program).plans[0].steps
    assert [s.level.id for s in steps] == levels
    if len(levels) > 1:
        assert steps[0].why.startswith("Comes first: ")
        assert "and you have" in steps[0].why


@pytest.mark.parametrize(
    ("text", "program", "months"),
    [
        ("sre 3 years --program focus", "focus-analyst", 36),
        ("sre --program focus analyst 2 years", "focus-analyst", 24),
        ("ml engineer --program ai value 2 years", "ai-value", 24),
        ("devops --program architect 3 years", "architect", 36),
    ],
)
def test_a_program_flag_may_be_several_words_or_the_start_of_one_programs_name(
    bot: Bot, text: str, program: str, months: int
) -> None:
    """ "--program ai value" had read "ai" as the program, and "--program focus" knew none."""
    query = bot.store.current.paths.parse(text)
    assert query.program is not None
    assert query.program.id == program
    assert query.months == months


def test_an_unknown_program_asks_which_program_not_which_role(bot: Bot) -> None:
    """The role was fine: the reply asks for the program, without the list of roles."""
    reply = bot.path("sre --program nope 2 years")
    assert reply.title == "Which program?"
    assert "I don't know the program 'nope'" in render_text(reply)
    assert "Roles I know" not in render_text(reply)
