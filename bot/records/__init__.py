"""What young people give us (referrals, feedback, complaints, consent) and
what they can ask us to do with it (status, deletion). Plain functions over
the database: the Rasa actions and the coordinator tool both call them."""
