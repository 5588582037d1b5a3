"""Rasa behaviours we change, in one place, applied by our entry points
(``scripts/serve.py``, ``scripts/chat.py``). Rasa is pinned to 3.6.21
(requirements/lock.txt); tests/test_rasa_patches.py checks each one.

- Every action server response is validated with ``jsonschema.validate``,
  which first checks Rasa's constant schema against its meta-schema, on every
  call: over a quarter of the Rasa server's CPU per turn under load (py-spy,
  reports/benchmark-serving.md). The schema is checked once; every response is
  still validated, and an invalid one raises the same error as before.
- Every stored event is turned back into its class by scanning all of
  ``Event``'s subclasses for its name: a third of a turn's CPU at turn 180
  of a conversation, growing with it. The class is looked up once per name.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_resolve_by_scanning = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


@cache
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (  # Rasa's own wording
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    known = _event_classes.get(type_name)
    if known is not None:
        return known
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _event_classes[type_name] = cls
            return cls
    return _resolve_by_scanning(type_name, default)  # Rasa's own answer for a name it doesn't know


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
