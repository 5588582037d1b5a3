"""The rasa-sdk action server (``rasa run actions``).

Custom actions arrive with the referral, complaint and safeguarding flows
(issues 4 and 5). They must say things through ``dispatcher.utter_message(
response="utter_...")`` so that bot/nlg.py renders them from locales/ in the
conversation's language, like every other reply.
"""
