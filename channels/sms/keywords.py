"""SMS opt-out keywords in both languages.

Twilio's Advanced Opt-Out answers the English keywords itself and blocks
sending after STOP; it does not know the Welsh ones, so for those we answer.
Either way we record the choice and send nothing after a STOP.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Language

STOP_EN = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
START_EN = {"start", "unstop"}
HELP_EN = {"help", "info"}
# Only words nobody says mid-conversation: "gorffen" (finish) and "diwedd" (end) are not here.
STOP_CY = {"stopio", "dad-danysgrifio", "daddanysgrifio"}
START_CY = {"dechrau", "ailddechrau"}
HELP_CY = {"cymorth", "help-cy"}


@dataclass(frozen=True)
class Keyword:
    action: str  # "stop" | "start" | "help"
    language: Language
    answered_by_twilio: bool


def keyword(body: str) -> Keyword | None:
    """Only a message that is just the keyword counts ("stop it!!" is a message)."""
    word = body.strip().strip(".!").lower()
    for words, action, language in (
        (STOP_EN, "stop", "en"),
        (START_EN, "start", "en"),
        (HELP_EN, "help", "en"),
        (STOP_CY, "stop", "cy"),
        (START_CY, "start", "cy"),
        (HELP_CY, "help", "cy"),
    ):
        if word in words:
            return Keyword(action, language, answered_by_twilio=language == "en" and action != "help")  # type: ignore[arg-type]
    return None
