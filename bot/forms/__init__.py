"""Reading a young person's answers to the forms' questions, in Welsh or English."""
