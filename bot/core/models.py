"""Typed models for every kind of knowledge file; the JSON Schema for editors comes from here."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# Ids are lower-case slugs so they survive YAML, URLs, Slack action values and Teams card data.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# When a figure was true: 2026, 2026-07 or 2026-07-05.
AsOf = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
Reliability = Literal["official", "official-old", "reported"]
# The attributes of a certification that structured program facts answer.
Attribute = Literal[
    "price",
    "exam_length",
    "question_count",
    "pass_mark",
    "format",
    "validity",
    "prerequisites",
    "retakes",
    "languages",
    "issuer",
    "delivery",
    "study_time",
]


def _date_text(value: object) -> object:
    # YAML reads an unquoted 2026-07-05 as a date: accept it as its ISO text.
    if type(value) is date:  # not a datetime: a time of day is no review date
        return value.isoformat()
    return value


def _real_date(value: str) -> str:
    date.fromisoformat(value)  # 2026-02-30 matches the pattern but is no date: ValueError
    return value


# A calendar day, YYYY-MM-DD (quoted or not in YAML).
Day = Annotated[
    str,
    BeforeValidator(_date_text),
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_real_date),
]


class _Model(BaseModel):
    """Base for knowledge models: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Model):
    """One seed document (or reference) that knowledge entries cite."""

    id: Id
    file: Text = Field(description="Seed file name, e.g. 000_afa478ff6bc15984.txt.")
    title: Text
    issuer: Text = Field(description="Who runs the program the document describes.")
    kind: Literal["guide", "official-page", "reference"]
    published: str | None = Field(
        default=None, description="Publication date, if the source gives one."
    )
    url: str | None = None
    cite: str | None = Field(
        default=None, description="How answers name the source, when the title is too long."
    )
    note: str | None = None


class Prerequisite(_Model):
    """A prerequisite of a level; experience in months lets the recommender check it."""

    text: Text
    min_experience_months: int | None = Field(default=None, ge=0)
    requires_level: Id | None = Field(default=None, description="A level that must come first.")


class PrepStep(_Model):
    """One horizon of a preparation plan (7, 30 or 60 days, or a range like 7-14)."""

    days: Annotated[str, StringConstraints(pattern=r"^[0-9]+(-[0-9]+)?$")]
    text: Text


class NextCert(_Model):
    """A certification suggested after a level."""

    kind: Literal["same-track", "cross-track", "leadership"]
    name: Text
    level: Id | None = Field(
        default=None, description="Set when the suggestion is a level we know."
    )


class Offering(_Model):
    """A way to buy or take a certification: exam only, a course, a cohort."""

    id: Id
    name: Text
    price_usd: int | None = Field(default=None, ge=0)
    format: str | None = None
    duration: str | None = None
    includes: tuple[Text, ...] = ()
    notes: tuple[Text, ...] = ()


class Level(_Model):
    """One certification level of a program, as one source describes it."""

    id: Id
    name: Text
    short_name: Text
    track: str | None = None
    tier: str | None = Field(default=None, description="The level label in the source's table.")
    order: int = Field(ge=1, description="Recommended order within the program.")
    what: Text
    who: tuple[Text, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()
    skills: tuple[Text, ...] = ()
    projects: tuple[Text, ...] = ()
    prep_plan: tuple[PrepStep, ...] = ()
    mistakes: tuple[Text, ...] = ()
    next: tuple[NextCert, ...] = ()
    offerings: tuple[Offering, ...] = ()
    notes: tuple[Text, ...] = ()
    as_of: AsOf | None = None
    reliability: Reliability | None = None


class LearningPath(_Model):
    """A learning path (DevOps, SRE, ...) as one program's guide describes it."""

    id: Id
    name: Text
    covers: tuple[Id, ...] = Field(
        default=(), description="Path kinds this one covers, e.g. aiops+mlops."
    )
    summary: Text


class RoleRecommendation(_Model):
    """What one program's role table recommends for a role, in order."""

    role: Id
    levels: tuple[Id, ...] = ()
    extras: tuple[Text, ...] = Field(
        default=(), description="Recommended items that are not levels."
    )
    note: str | None = None


class Progression(_Model):
    """The program-wide 'what next' narrative."""

    same_track: Text
    cross_track: Text
    leadership: Text


class ProgramFact(_Model):
    """One figure about a program (price, exam length...), with when it held and who says so."""

    attribute: Attribute
    value: Text = Field(description="The figure in our own words, e.g. 'US$325, exam only'.")
    status: Literal["current", "older", "conflicting"] = Field(
        default="current",
        description="One current figure per attribute leads the answer; older and conflicting "
        "figures follow it in one line.",
    )
    as_of: AsOf | None = None
    source: Id
    reliability: Reliability | None = None
    note: str | None = Field(default=None, description="Who says it, when the source is broad.")


class ExamDomain(_Model):
    """One domain of a program's exam: its share of the questions and what to read for it."""

    id: Id
    name: Text
    weight: int = Field(ge=1, le=100, description="The domain's share of the exam, in percent.")
    reading: tuple[Id, ...] = Field(
        default=(), description="FAQ ids a study plan lists as reading for this domain."
    )
    sources: tuple[Id, ...] = Field(min_length=1)
    as_of: AsOf | None = Field(default=None, description="When the weights were last listed.")
    note: str | None = Field(default=None, description="How old the weights are, who lists them.")


class Program(_Model):
    """A certification program as described by exactly one source."""

    id: Id
    name: Text
    issuer: Text
    aliases: tuple[Text, ...] = Field(default=(), description="Names people type for it.")
    source: Id
    summary: Text
    audience: tuple[Text, ...] = ()
    assessment: tuple[Text, ...] = ()
    levels: tuple[Level, ...]
    paths: tuple[LearningPath, ...] = ()
    roles: tuple[RoleRecommendation, ...] = ()
    progression: Progression | None = None
    take_after: tuple[Id, ...] = Field(
        default=(),
        description="Programs its prerequisites or notes say to take before this one (any one "
        "of them will do); a certification path lists them first.",
    )
    notes: tuple[Text, ...] = ()
    as_of: AsOf | None = Field(default=None, description="When the program's figures were true.")
    url: str | None = Field(
        default=None, description="Where people check current details (the issuer's page)."
    )
    facts: tuple[ProgramFact, ...] = Field(
        default=(), description="Structured figures that attribute questions are answered from."
    )
    exam_domains: tuple[ExamDomain, ...] = Field(
        default=(),
        description="The exam's domains and weights (summing to 100), where a source gives "
        "them; study plans share their hours by these weights.",
    )


class Role(_Model):
    """A job role people name when asking for a path."""

    id: Id
    name: Text
    aliases: tuple[Text, ...] = ()
    path: Id | None = Field(default=None, description="The learning-path kind that fits, e.g. sre.")


class ProviderDescription(_Model):
    """What one source says about a training provider."""

    source: Id
    text: Text


class Provider(_Model):
    """A training and certification support provider."""

    id: Id
    name: Text
    descriptions: tuple[ProviderDescription, ...]


class Faq(_Model):
    """A question people ask, with phrasings to match and one answer."""

    id: Id
    question: Text
    alternates: tuple[Text, ...] = ()
    answer: Text
    more: Text | None = Field(
        default=None,
        description="Detail shown behind 'More'; without it a long answer is split after its "
        "first lines.",
    )
    tags: tuple[Id, ...] = ()
    related: tuple[Id, ...] = ()
    items: tuple[Id, ...] = Field(
        default=(),
        description="The FAQs of what the answer lists, in the answer's order: 'the third one?' "
        "after it answers the third.",
    )
    sources: tuple[Id, ...] = Field(min_length=1)
    program: Id | None = None
    as_of: AsOf | None = Field(default=None, description="When the answer's figures were true.")
    reliability: Reliability | None = Field(
        default=None, description="'reported' when the figures rest on third-party sources only."
    )
    last_reviewed: Day | None = Field(
        default=None,
        description="When someone last checked this answer against its sources (YYYY-MM-DD); "
        "no date means never reviewed, so /finops-admin stale lists it.",
    )
    review_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Days after last_reviewed when the answer is due for review (default 90).",
    )


class Synonym(_Model):
    """A term people type and the canonical words it stands for."""

    term: Text
    means: Text


class FollowupName(_Model):
    """A short name that means a program only as a bare follow-up ("and the engineer?")."""

    name: Text
    program: Id


class CloudTopic(_Model):
    """A cloud-operations how-to topic the bot declines, and where FinOps covers it."""

    topic: Text = Field(description="What the questions are about, e.g. 'commitment discounts'.")
    cues: tuple[Text, ...] = Field(
        min_length=1,
        description="Phrases that mark the topic; every word of one must be in the question.",
    )
    covered_by: str | None = Field(
        default=None,
        description="The certification or FinOps Framework capability that covers the topic, "
        "named in the decline.",
    )
    see_also: tuple[Id, ...] = Field(
        default=(),
        description="FAQs on the Framework's view of the topic, offered as buttons with the "
        "decline: the how-to is the cloud's documentation's, the concept is ours.",
    )


class ConceptKind(_Model):
    """A kind of Framework thing a follow-up may ask a concept for: its persona, capability
    or domain ("who owns that?" after rightsizing)."""

    kind: Text = Field(description="What is asked for, e.g. 'persona'.")
    cues: tuple[Text, ...] = Field(
        min_length=1,
        description="Phrases that ask for it; every word of one must be in the follow-up.",
    )
    faqs: tuple[Id, ...] = Field(
        min_length=1,
        description="The FAQs of that kind: the one a concept lists in `related` answers.",
    )
    aside: bool = Field(
        default=False,
        description="The answer says where the concept sits (its domain, phase, measures, "
        "history): the concept stays the subject, so the next follow-up still asks about it.",
    )


class AttributeCues(_Model):
    """Words that show a question asks about one attribute of a certification."""

    attribute: Attribute
    label: Text = Field(description="How answers name the attribute, e.g. 'passing score'.")
    cues: tuple[Text, ...] = Field(min_length=1)
    not_with: tuple[Text, ...] = Field(
        default=(),
        description="Words that, said anywhere, mean the cues ask something else ('how much "
        "%' asks a weight, not a price; 'course access expires' is not the credential's).",
    )


class Language(_Model):
    """Words the matcher rewrites or ignores; data, so admins can tune it without code."""

    synonyms: tuple[Synonym, ...] = ()
    filler: tuple[Text, ...] = Field(default=(), description="Phrases dropped before matching.")
    stopwords: tuple[Text, ...] = ()
    out_of_scope: tuple[Text, ...] = Field(
        default=(),
        description="Names of things we do not cover (look-alike programs, attempts to "
        "change the bot's rules); a question naming one is declined rather than matched to "
        "a look-alike FAQ, unless it names one of our programs by a name that says FinOps.",
    )
    other_certifications: tuple[Text, ...] = Field(
        default=(),
        description="Other vendors' certifications; a question naming one is declined "
        "unless it also says one of own_names ('I have the CKA, which FinOps cert next?').",
    )
    own_names: tuple[Text, ...] = Field(
        default=(),
        description="Words that say a question is about our programs even beside another "
        "certification's name ('finops', our programs' acronyms).",
    )
    cloud_howto: tuple[CloudTopic, ...] = Field(
        default=(),
        description="Cloud-operations how-to topics (discounts, budgets, tagging, scripts): "
        "declined unless the question also names a certification_cue.",
    )
    concept_kinds: tuple[ConceptKind, ...] = Field(
        default=(),
        description="Follow-ups that ask a concept's persona, capability or domain, answered "
        "by the FAQ of that kind the concept links to.",
    )
    certification_cues: tuple[Text, ...] = Field(
        default=(),
        description="Words that make a question about certifications or the Framework even "
        "when it names a cloud topic ('does the FOCP cover reserved instances?').",
    )
    definition_words: tuple[Text, ...] = Field(
        default=(),
        description="Words of a bare definition question ('what is rightsizing?'): with "
        "nothing else beside a cloud topic's cue, it is a concept question, not a how-to.",
    )
    cloud_vendor_words: tuple[Text, ...] = Field(
        default=(),
        description="Names of clouds and their services ('aws', 'ec2'): a definition that names "
        "one ('what are committed use discounts on GCP?') asks about running that cloud.",
    )
    usual_program: tuple[str, ...] = Field(
        default=(),
        description="The program people mean by 'the FinOps certification' (the first listed "
        "that exists): an attribute question naming no program but saying 'finops' is answered "
        "for it, with the other programs offered as choices.",
    )
    subject_words: tuple[Text, ...] = Field(
        default=(),
        description="Words that make an attribute question about certifications when it names "
        "no program ('how much is the exam?').",
    )
    survey_words: tuple[Text, ...] = Field(
        default=(),
        description="Words that make an attribute question naming no program about every "
        "certification ('how much do the certifications cost?'); the FAQs answer those.",
    )
    attributes: tuple[AttributeCues, ...] = Field(
        default=(),
        description="Cue phrases per certification attribute; a question with a cue is "
        "answered from the named program's facts.",
    )
    followup_words: tuple[Text, ...] = Field(
        default=(),
        description="Words that, around a program name and nothing else, make a follow-up "
        "('what about the FCP?') ask the conversation's last attribute of that program.",
    )
    followup_names: tuple[FollowupName, ...] = Field(
        default=(),
        description="Short names ('engineer', 'analyst') that name a program only in a bare "
        "follow-up, where the conversation is already about certifications; elsewhere "
        "'the engineer' is a person.",
    )
    exam_names: tuple[FollowupName, ...] = Field(
        default=(),
        description="A role's name that is also a program's ('finops practitioner'): with an "
        "exam attribute asked ('passing score for finops practitioner') it names the program, "
        "since no persona sits an exam; elsewhere it is the role.",
    )
    prerequisite_markers: tuple[Text, ...] = Field(
        default=(),
        description="Words just before a program name that make it the prerequisite rather "
        "than the subject ('do I need FOCP before FOCE?' asks about FOCE).",
    )
    requirement_words: tuple[Text, ...] = Field(
        default=(),
        description="Words that, with one program named as needed for another, ask the "
        "other's prerequisites ('does the FCP require the FOCP?').",
    )


class QuizDomain(_Model):
    """One domain of a program's practice questions (an exam domain where a source gives one)."""

    id: Id
    name: Text
    weight: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Share of the exam in percent, where a source gives it; weights sum to 100.",
    )


class QuizQuestion(_Model):
    """A multiple-choice practice question built from a fact the knowledge already holds."""

    id: Id
    domain: Id = Field(description="One of the bank's domains.")
    question: Text
    choices: tuple[Text, ...] = Field(min_length=3, max_length=5)
    answer: int = Field(ge=0, description="0-based index of the one right choice.")
    explanation: Text = Field(description="Why the right choice is right, in our own words.")
    source: Id = Field(description="The sources.yaml id the fact comes from.")
    faq: Id | None = Field(
        default=None, description="The FAQ the question is built from, where there is one."
    )


class QuizBank(_Model):
    """The practice questions of one program, with the domains they are grouped in."""

    program: Id
    domains: tuple[QuizDomain, ...] = Field(min_length=1)
    domains_note: str | None = Field(
        default=None, description="Where the domains (and weights) come from, and how old."
    )
    questions: tuple[QuizQuestion, ...] = ()


class KnowledgeFile(_Model):
    """One YAML file in the knowledge directory; every section is optional."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"title": "finops-bot knowledge file"},
    )

    sources: tuple[Source, ...] = ()
    programs: tuple[Program, ...] = ()
    roles: tuple[Role, ...] = ()
    providers: tuple[Provider, ...] = ()
    faqs: tuple[Faq, ...] = ()
    language: Language | None = None
    quiz: tuple[QuizBank, ...] = Field(
        default=(), description="Practice questions per program (finops-bot quiz, /finops-quiz)."
    )
