"""Who a conversation is (contacts) and which provider messages we have
accepted and handled (deliveries): the connectors' records, kept in bot/ so
the worker and the actions need nothing from channels/."""
