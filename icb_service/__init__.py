"""The reference ICB monitoring service: receives practices' pseudonymised group clinic events.

Installable on its own (`pip install groupclinic-desktop[icb]`); it imports nothing from the
desktop app. The desktop imports only the contract the two sides share: `icb_service.protocol`
(what a practice may send, for the sync client), `icb_service.disclosure` (which cells of a
published table are hidden, so the practice's own outcomes report hides what the ICB's would)
and `icb_service.resources` (where resources/ is, and how its files are read).
"""
