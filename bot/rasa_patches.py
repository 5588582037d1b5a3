"""Rasa behaviours we change, in one place, applied by our entry points
(``scripts/serve.py``, ``scripts/chat.py``). Rasa is pinned to 3.6.21
(requirements/lock.txt); tests/test_rasa_patches.py checks each one.

- Every action server response is validated with ``jsonschema.validate``,
  which first checks Rasa's constant schema against its meta-schema, on every
  call: over a quarter of the Rasa server's CPU per turn under load (py-spy,
  reports/benchmark-serving.md). The schema is checked once; every response is
  still validated, and an invalid one raises the same error as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
