"""GP record delivery: each person's notes sent to their registered practice as a GP Connect
"Send Document" message (ITK3, FHIR STU3) over MESH, with its acknowledgements tracked.

  config.py    the MESH address, mailbox and certificates; password and shared key in the keyring
  routing.py   where a person's notes go: an explicit mailbox, or MESH automated routing
  message.py   the Send Document message, and reading the ITK3 acknowledgements
  sender.py    queueing, one sending pass (send, then read acknowledgements), retries
  worker.py    the background thread that runs the passes, never blocking a screen
  sign_off.py  the one place that says whether a person's notes wait for clinician sign-off
"""
