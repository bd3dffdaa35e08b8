"""The parts of the Clinic facade, one module per area of the clinic.

Each area is a mixin on ClinicBase (opening, transactions, audit); core/clinic.py puts them
together as Clinic, the one door to the data.
"""
