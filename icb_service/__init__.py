"""The reference ICB monitoring service: receives practices' pseudonymised group clinic events.

Installable on its own (`pip install groupclinic-desktop[icb]`); it imports nothing from the
desktop app. The desktop imports from it only the sync protocol (`protocol`), the small-number
rule (`disclosure`) and where resources/ is (`resources`).
"""
