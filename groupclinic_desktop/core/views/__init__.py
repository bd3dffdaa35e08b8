"""Read models built through the Clinic facade: the board, a person's progress, a programme's
outcomes, a session's record and its end-of-session summary, the 4M panel.

Each view takes an open `Clinic` and reads through its public methods; the facade never imports a
view (tests/test_layers.py), so the two cannot call each other in a loop.
"""
