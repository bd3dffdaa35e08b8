"""One module per phase of the session: checkin, board, agenda, one_to_one, goals, wrapup."""
