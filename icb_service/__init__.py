"""The reference ICB monitoring service: receives practices' pseudonymised group clinic events.

Installable on its own (`pip install groupclinic-desktop[icb]`); it imports nothing from the
desktop app. The desktop's sync client imports only `icb_service.protocol`.
"""
