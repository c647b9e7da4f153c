"""Intent classification: what kind of message this is, before any knowledge is consulted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.text import fold, strip_markup

IntentKind = Literal[
    "empty",
    "help",
    "greeting",
    "thanks",
    "goodbye",
    "complaint",
    "ack",
    "path",
    "plan",
    "forget",
    "quiz",
    "admin",
    "pick",
    "faq",
]

# Both platforms: Slack sends slash commands separately, but people also type them in messages.
_PATH_CMD = re.compile(r"^\s*/?finops[- ]path\b[\s:]*", re.IGNORECASE)
_PLAN_CMD = re.compile(r"^\s*/?finops[- ]plan\b[\s:]*", re.IGNORECASE)
_QUIZ_CMD = re.compile(r"^\s*(?:/?finops[- ]quiz|quiz me)\b[\s:]*", re.IGNORECASE)
# "forget me" in a DM deletes what the study companion keeps about the person.
_FORGET = {"forget me", "please forget me", "forget about me", "delete my data", "forget my data"}
# Asking the bot itself for practice ("do you have practice questions?", "can you quiz me?"):
# its own quiz answers that, not an FAQ about where to find practice exams. Each request is
# the asking words, then (anywhere after them) what is asked for: two linear searches, where
# one pattern with ".*" between them backtracks on a long message.
_QUIZ_ME = re.compile(r"\b(?:can|could|would|will)\s+(?:you|u)\s+(?:quiz|test)\s+me\b")
_YOU_GIVE = re.compile(
    r"\b(?:do|can|could|would|will)\s+(?:you|u)\s+"
    r"(?:have|give|ask|send|make|run|offer|provide|do)\b"
)
_PRACTICE = re.compile(
    r"\b(?:(?:practice|sample|mock)\s+(?:questions?|tests?|exams?|quiz\w*)|quiz\w*)\b"
)
# Practice asked for by name alone ("focp practice test", "practice questions for the foce").
_QUIZ_BARE = re.compile(
    r"^(?:(?:any|some|more)\s+)?(?:(?P<before>[a-z0-9 ]+?)\s+)?(?:practice|sample|mock)\s+"
    r"(?:questions?|tests?|exams?|quiz\w*)(?:\s+(?:for|on|about)\s+(?:the\s+)?(?P<after>.+))?$"
)
# "on the foce" after such a request names the program to practise.
_QUIZ_ON = re.compile(r"\b(?:on|about|for)\s+(?:the\s+)?(.+)$")
# Asking the bot for a study plan: the plan's usage says how to get one.
_YOU_MAKE = re.compile(
    r"\b(?:can|could|would|will)\s+(?:you|u)\s+(?:make|build|create|give|write|draw|put|do)\b"
)
_STUDY_PLAN = re.compile(r"\b(?:study|prep|preparation|revision|exam)\s+(?:plan|schedule)\b")
_ADMIN_CMD = re.compile(r"^\s*(?:/finops-admin|/?admin)\b[\s:]*", re.IGNORECASE)
_HELP = {
    "help", "usage", "commands", "what can you do", "what do you do", "how do i use you",
    "how does this work", "how do i use this bot", "menu", "", "hello help",
    # Asking what the bot is: the help says it.
    "who are you", "what are you", "who made you", "who built you", "are you a bot",
    "are you chatgpt", "are you an ai", "are you ai", "are you human", "are you a human",
}  # fmt: skip
_GREETINGS = {
    "hi", "hello", "hey", "yo", "hiya", "howdy", "morning", "good morning", "good afternoon",
    "good evening", "greetings", "sup", "hey there", "hi there", "hello there", "gm",
}  # fmt: skip
_THANKS = {
    "thanks", "thank you", "thx", "ty", "cheers", "thanks a lot", "thank you so much", "great",
    "awesome", "perfect", "nice", "cool", "ok", "okay", "got it", "great thanks", "many thanks",
    "thanks bot", "ta", "much appreciated", "appreciate it",
}  # fmt: skip
# Acknowledgements made of these words alone ("lol ok thanks", "great, that helps a lot") are
# thanks: in a thread they must not be matched with the thread's program and answered.
_ACK_WORDS = {
    "thanks", "thank", "you", "thx", "ty", "cheers", "lol", "haha", "hah", "ok", "okay", "kk",
    "cool", "great", "nice", "awesome", "perfect", "got", "it", "that", "this", "helps",
    "helped", "helpful", "a", "lot", "so", "much", "very", "appreciate", "appreciated", "makes",
    "sense", "brilliant", "sweet", "gotcha", "alright", "noted", "super", "excellent", "wow",
    "oh", "ah", "i", "see", "all", "good", "understood", "clear", "thats", "s",
}  # fmt: skip
# Musing over an answer ("hmm", "interesting"): no question, and no thanks to answer either.
_MUSING = {
    "hmm", "hm", "hmmm", "hmmmm", "mhm", "mm", "interesting", "i see", "fair enough", "ah i see",
    "oh i see", "oh interesting", "hmm interesting", "hmm ok", "hmm okay", "ok hmm",
}  # fmt: skip
# Leaving the conversation: in a thread about a program, "bye" is not a question about it.
_GOODBYES = {
    "bye", "goodbye", "good bye", "bye bye", "byebye", "see you", "see ya", "cya", "later",
    "ttyl", "good night", "gn", "that s all", "thats all", "that is all", "nothing else",
    "i m done", "im done", "all done",
}  # fmt: skip
_GOODBYE_WORDS = {"bye", "goodbye", "byebye", "cya", "ttyl"}
# Saying the last answer was wrong: an apology and a way forward, never another answer.
_COMPLAINTS = {
    "you re wrong", "youre wrong", "you are wrong", "wrong", "wrong answer", "that s wrong",
    "thats wrong", "that is wrong", "incorrect", "that s incorrect", "thats incorrect",
    "that is incorrect", "not helpful", "that s not helpful", "thats not helpful", "useless",
    "that s not right", "thats not right", "that is not right", "not right", "nope wrong",
    "that s not what i asked", "thats not what i asked", "not what i asked", "bad answer",
}  # fmt: skip
_BOT_NAMES = {"bot", "finops bot", "finopsbot", "finops-bot", "team", "all", "everyone"}
# A natural path request: the cue plus a role the recommender recognises.
PATH_CUE = re.compile(
    r"\b(path|roadmap|which cert\w*|what cert\w*|best cert\w*|recommend\w*|recs?|"
    r"where (?:do|should|would|can) (?:i|we|someone|one|people)(?: \w+){0,6} (?:start|begin)|"
    r"is there a cert\w*|"
    r"should i (?:take|do|get|start)|career plan|cert plan|"
    r"what should i (?:take|do|get) first)\b"
)
# "What does the DevOps path cover?" asks what a learning path holds (an FAQ answers it),
# not which certifications to take.
PATH_CONTENT = re.compile(
    r"\b(cover|covers|covered|what'?s in|what is in|about|include|includes|teach|teaches)\b"
)
PATH_ASK = re.compile(r"\b(which cert\w*|what cert\w*|best cert\w*|recommend\w*|recs?|should i)\b")


@dataclass(frozen=True)
class Intent:
    """The kind of a message and the text that remains for the handler."""

    kind: IntentKind
    rest: str


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(strip_markup(text))).split())


def _small_talk(core: str, words: list[str]) -> IntentKind | None:
    """Return the kind of a goodbye, complaint, thanks or greeting, or None for anything else."""
    if (
        core in _GOODBYES
        or " ".join(words) in _GOODBYES
        or (
            # "ok thanks, bye": acknowledgement words with a farewell among them
            len(words) <= 8
            and not _GOODBYE_WORDS.isdisjoint(words)
            and all(w in _ACK_WORDS or w in _GOODBYE_WORDS or w in _BOT_NAMES for w in words)
        )
    ):
        return "goodbye"
    if core in _COMPLAINTS:
        return "complaint"
    if core in _MUSING:
        return "ack"
    if core in _THANKS or (core.startswith(("thanks", "thank you")) and len(words) <= 5):
        return "thanks"
    if len(words) <= 8 and all(w in _ACK_WORDS or w in _BOT_NAMES for w in words):
        return "thanks"
    if core in _GREETINGS:
        return "greeting"
    return None


def _feature_asked(plain: str) -> Intent | None:
    """Return the quiz or plan *plain* asks the bot itself for ("can you quiz me on the
    FOCE?", "focp practice test", "can you make me a study plan"), or None."""
    if _QUIZ_ME.search(plain) or _then(_YOU_GIVE, _PRACTICE, plain):
        named = _QUIZ_ON.search(plain)
        return Intent("quiz", named.group(1) if named else "help")
    bare = _QUIZ_BARE.match(plain)
    program = bare and (bare.group("before") or bare.group("after"))
    if bare and program and _names_only(bare.group("before")):
        # "practice tests?" alone may ask where to find some: an FAQ answers that.
        return Intent("quiz", program)
    if _then(_YOU_MAKE, _STUDY_PLAN, plain):
        return Intent("plan", "help")
    return None


def _then(first: re.Pattern[str], second: re.Pattern[str], text: str) -> bool:
    """Return True when *second* matches somewhere after the first match of *first*."""
    found = first.search(text)
    return found is not None and second.search(text, found.end()) is not None


def _names_only(before: str | None) -> bool:
    """Return True when the words before "practice test" can only name a program ("focp",
    "finops architect"), not ask something ("where can I find focp")."""
    said = (before or "").split()
    return len(said) <= _NAME_WORDS and _ASKING.isdisjoint(said)


_NAME_WORDS = 3
_ASKING = frozenset(
    {"where", "what", "which", "how", "when", "why", "who", "is", "are", "can", "could", "do",
     "does", "did", "should", "i", "we", "find", "get", "there", "free", "good", "best"}
)  # fmt: skip


def classify(text: str) -> Intent:
    """Classify *text*; FAQ is the default, so unknown text is matched (and maybe declined)."""
    text = text[:4000]
    m = _PATH_CMD.match(strip_markup(text))
    if m:
        return Intent("path", strip_markup(text)[m.end() :].strip())
    m = _QUIZ_CMD.match(strip_markup(text))
    if m:
        return Intent("quiz", strip_markup(text)[m.end() :].strip())
    m = _PLAN_CMD.match(strip_markup(text))
    if m:
        return Intent("plan", strip_markup(text)[m.end() :].strip())
    m = _ADMIN_CMD.match(text)
    if m:
        return Intent("admin", text[m.end() :].strip())
    plain = _plain(text)
    if not plain:
        return Intent("empty", "")
    words = plain.split()
    # "hey bot, thanks!" -> drop addressing words before checking for small talk.
    core = " ".join(w for w in words if w not in _BOT_NAMES) or plain
    if core in _FORGET:
        return Intent("forget", "")
    if core in _HELP or plain in _HELP:
        return Intent("help", "")
    if (feature := _feature_asked(plain)) is not None:
        return feature
    small_talk = _small_talk(core, words)
    if small_talk is not None:
        return Intent(small_talk, "")
    # "2" or "#2": a pick from a 'did you mean' list, which only the terminal chat numbers.
    if core.isdigit() and len(core) <= 3:
        return Intent("pick", core)
    return Intent("faq", text)
