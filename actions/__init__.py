"""Custom actions, run by Rasa's action server (``rasa run actions``).

- ``referral.py``: the self-referral form and "any news?";
- ``feedback.py``: feedback and coordinators' check-ins;
- ``complaint.py``: complaints, handed to a coordinator;
- ``data_rights.py``: "delete my data";
- ``preferences.py``: a wish about the IV, recorded for the referral;
- ``form_answers.py``: what every form shares (reading answers, interruptions).

The actions only talk to the young person and call ``bot.records``: the
storage and the rules live there, so the coordinator tool and the tests use
the same code.
"""

from bot.settings import require_production_secrets

# The action server imports this package first: production refuses to start
# without its secrets.
require_production_secrets()
