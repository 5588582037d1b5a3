"""Our changes to Rasa's behaviour (bot/rasa_patches.py) keep what Rasa promised."""

from __future__ import annotations

from unittest import mock

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.utils.common import all_subclasses

from bot import rasa_patches

VALID = {"events": [{"event": "slot", "name": "age", "value": 14}], "responses": [{"text": "hi"}]}
INVALID = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_patches.apply()
    return RemoteAction("action_x", None)


def test_a_valid_action_response_passes(patched: RemoteAction) -> None:
    assert patched._validate_action_result(VALID) is True


def test_an_invalid_action_response_is_refused_with_rasas_own_advice(patched: RemoteAction) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(INVALID)


def test_the_same_responses_pass_and_fail_as_with_rasas_own_check(patched: RemoteAction) -> None:
    for response in (VALID, INVALID, {}, {"events": None}, {"responses": [{"text": 1}]}):
        rasa_says = _rasa_accepts(response)
        try:
            ours = patched._validate_action_result(response)
        except ValidationError:
            ours = False
        assert ours == rasa_says, response


def _rasa_accepts(response: dict) -> bool:
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
        return True
    except ValidationError:
        return False


def test_rasas_schema_is_checked_once_not_on_every_response(patched: RemoteAction) -> None:
    rasa_patches._action_response_validator()  # built once, on first use
    with (
        mock.patch.object(jsonschema.validators.Draft202012Validator, "check_schema") as check,
        mock.patch.object(jsonschema.validators.Draft4Validator, "check_schema") as check4,
    ):
        for _ in range(3):
            patched._validate_action_result(VALID)
    assert check.call_count == 0 and check4.call_count == 0


def test_stored_events_come_back_as_the_same_classes_with_one_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.core import events

    monkeypatch.setattr(events.Event, "resolve_by_type", events.Event.__dict__["resolve_by_type"])
    names = [cls.type_name for cls in all_subclasses(events.Event)]
    rasas = {name: events.Event.resolve_by_type(name) for name in names}
    rasa_patches._event_classes.clear()
    rasa_patches.apply()
    scans: list[int] = []
    real = rasa_patches.all_subclasses
    monkeypatch.setattr(rasa_patches, "all_subclasses", lambda cls: scans.append(1) or real(cls))

    for _ in range(3):
        assert {name: events.Event.resolve_by_type(name) for name in names} == rasas
    assert len(scans) == len(set(names)), "one scan per name, not one per event"
    with pytest.raises(ValueError):
        events.Event.resolve_by_type("no_such_event")
    assert events.Event.resolve_by_type("topic") is None  # Rasa's old name, still understood
