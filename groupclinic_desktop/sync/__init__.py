"""Offline-first upload of the pseudonymised monitoring dataset to the ICB service.

payloads (outbox row -> protocol event, pseudonymised), client (HTTP), backoff, engine (one sync
pass), worker (background thread), status (figures for the status bar, admin screen and CLI),
config (service address, token, pseudonymisation key). No Qt here.
"""
