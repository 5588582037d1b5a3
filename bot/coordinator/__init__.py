"""Coordinators' command-line tool (a web console comes later): list and
update referrals, feedback and complaints, and send check-ins.

    python -m bot.coordinator --actor NAME referrals list
"""
