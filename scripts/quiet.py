"""Keep Rasa's debug logging (which prints every message) out of reports."""

from __future__ import annotations

import logging

import structlog


def quiet_rasa() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
