"""What leaves the laptop: the person as a keyed hash, coded values, nothing else."""

from __future__ import annotations

import hashlib
import hmac

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.sync import config, payloads


def test_every_demo_event_becomes_a_valid_pseudonymised_protocol_event(demo: Clinic) -> None:
    key = config.pseudonym_key(demo)
    people = {p.id: p for p in demo.patients()}
    for row in demo.outbox_events():
        payload = payloads.wire_payload(row, lambda i: people[i], key)
        event = payloads.to_event(row, payload)  # raises if the service would refuse it
        assert "patient_id" not in event.payload
        if "subject" in event.payload:
            person = people[row.payload["patient_id"]]
            expected = hmac.new(key, person.nhs_number.encode(), hashlib.sha256).hexdigest()
            assert event.payload["subject"] == expected
            assert person.nhs_number not in str(event.payload)


def test_the_key_is_kept_and_the_same_person_keeps_the_same_subject(demo: Clinic) -> None:
    assert config.pseudonym_key(demo) == config.pseudonym_key(demo)
    assert len(config.pseudonym_key(demo)) == 32


def test_coded_values_for_the_icb() -> None:
    assert payloads.ethnic_group("H") == "asian"
    assert payloads.ethnic_group("Z") == "not_stated"
    assert payloads.ethnic_group(None) == "not_stated"
    assert payloads.imd_quintile(1) == "1" and payloads.imd_quintile(10) == "5"
    assert payloads.imd_quintile(None) == "not_stated"
    assert payloads.ascii_unit("kg/m²") == "kg/m2"
    assert payloads.ascii_unit("µmol/L") == "umol/L"
