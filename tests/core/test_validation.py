"""What a facilitator types at check-in: NHS numbers, dates and measurements."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groupclinic_desktop.core.catalogue import catalogue
from groupclinic_desktop.core.errors import InvalidInput, NeedsConfirmation
from groupclinic_desktop.core.validation import (
    age_on,
    bmi,
    check_taken_at,
    format_nhs_number,
    is_test_nhs_number,
    nhs_check_digit,
    parse_blood_pressure,
    parse_date,
    parse_date_of_birth,
    parse_measurement,
    parse_nhs_number,
)

# Worked by hand with the NHS Data Dictionary rule (weights 10..2, 11 - sum mod 11).
VALID_NHS_NUMBERS = ["9990000018", "9990000026", "9990000034", "9990000050", "9434765919"]


def modulus_11(first9: str) -> int | None:
    """The Data Dictionary rule written out again, as an oracle for the property tests."""
    total = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1), strict=True))
    result = 11 - total % 11
    return {11: 0, 10: None}.get(result, result)


# --- NHS number -------------------------------------------------------------------------------

@pytest.mark.parametrize("number", VALID_NHS_NUMBERS)
def test_valid_nhs_numbers_are_accepted_however_they_are_spaced(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    dashed = f"{number[:3]}-{number[3:6]}-{number[6:]}"
    for typed in (number, spaced, dashed, f"  {spaced}  ", spaced.replace(" ", "\u00a0")):
        assert parse_nhs_number(typed) == number


def test_check_digit_zero_comes_from_a_result_of_eleven() -> None:
    assert nhs_check_digit("999000005") == 0
    assert parse_nhs_number("999 000 0050") == "9990000050"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("999 000 0019", "the check digit should be 8"),
        ("999 000 001", "has 9 digits; an NHS number has 10"),
        ("999 000 00188", "has 11 digits; an NHS number has 10"),
        ("999 OOO 0018", "contains letters"),
        ("999.000.0018", "characters other than digits"),
        ("999 000 0000", "its check digit would be 10"),
        ("999 123 4560", "its check digit would be 10"),
        ("", "enter the 10-digit NHS number"),
        ("   ", "enter the 10-digit NHS number"),
        ("٩٩٩٠٠٠٠٠١٨", "characters other than digits"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_nhs_number(typed)
    assert caught.value.field == "NHS number"
    assert str(caught.value).startswith("NHS number: ")
    assert reason in str(caught.value)


def test_refusals_do_not_repeat_the_number() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_nhs_number("943 476 5918")
    assert "9434765918" not in str(caught.value)
    assert "943 476" not in str(caught.value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_nine_digits_with_their_check_digit_are_accepted(first9: str) -> None:
    check = modulus_11(first9)
    assert nhs_check_digit(first9) == check
    if check is None:
        for last in "0123456789":
            with pytest.raises(InvalidInput, match="check digit would be 10"):
                parse_nhs_number(first9 + last)
    else:
        assert parse_nhs_number(first9 + str(check)) == first9 + str(check)


@given(
    st.sampled_from(VALID_NHS_NUMBERS),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_changing_any_one_digit_is_always_refused(number: str, position: int, shift: int) -> None:
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    with pytest.raises(InvalidInput):
        parse_nhs_number("".join(digits))


@given(st.text())
def test_any_text_is_either_an_nhs_number_or_refused_as_invalid_input(text: str) -> None:
    try:
        result = parse_nhs_number(text)
    except InvalidInput:
        return
    assert len(result) == 10 and result.isascii() and result.isdigit()


def test_nhs_numbers_are_shown_three_three_four() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("999-000-0018") == "999 000 0018"
    with pytest.raises(InvalidInput):
        format_nhs_number("999 000 0019")


def test_test_numbers_start_with_999() -> None:
    assert is_test_nhs_number("999 000 0018")
    assert not is_test_nhs_number("943 476 5919")
    assert not is_test_nhs_number("999")


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "typed",
    ["2024-03-01", "01/03/2024", "1/3/2024", "01.03.2024", "1-Mar-2024", "01-Mar-2024",
     "1 March 2024", "1 mar 2024", "1st March 2024", "20240301", " 1  March 2024 "],
)
def test_dates_are_read_day_first_in_every_usual_form(typed: str) -> None:
    assert parse_date(typed, "Session date") == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("31/02/2024", "February 2024 has 29 days"),
        ("29/02/2023", "February 2023 has 28 days"),
        ("00/01/2024", "day 0 does not exist"),
        ("03/15/2024", "there is no month 15"),
        ("2024-13-01", "there is no month 13"),
        ("1 Marchember 2024", "month name"),
        ("01/03/24", "give the year in full"),
        ("yesterday", "not a date we recognise"),
        ("", "enter a date"),
        ("01/01/1850", "before 1900"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as caught:
        parse_date(typed, "Session date")
    assert caught.value.field == "Session date"
    assert str(caught.value).startswith("Session date: ")


def test_leap_day_is_a_real_date_in_a_leap_year() -> None:
    assert parse_date("29/02/2024", "Date") == date(2024, 2, 29)


def test_date_of_birth_cannot_be_in_the_future_or_over_120_years_ago() -> None:
    today = date(2024, 6, 15)
    assert parse_date_of_birth("15/06/1904", today=today) == date(1904, 6, 15)  # exactly 120
    assert parse_date_of_birth(date(2024, 6, 15), today=today) == today
    with pytest.raises(InvalidInput, match="Date of birth: is in the future"):
        parse_date_of_birth("16/06/2024", today=today)
    with pytest.raises(InvalidInput, match="age of 121"):
        parse_date_of_birth("14/06/1903", today=today)


def test_age_counts_whole_years_from_the_birthday() -> None:
    born = date(1944, 6, 15)
    assert age_on(born, date(2024, 6, 14)) == 79
    assert age_on(born, date(2024, 6, 15)) == 80


def test_measurements_cannot_be_dated_after_today() -> None:
    today = date(2024, 6, 15)
    assert check_taken_at(date(2024, 6, 15), today=today) == today
    taken = datetime(2024, 6, 15, 23, 59)
    assert check_taken_at(taken, today=today) is taken
    with pytest.raises(InvalidInput, match="Date taken: is after today"):
        check_taken_at(date(2024, 6, 16), today=today)
    with pytest.raises(InvalidInput, match="after today"):
        check_taken_at(datetime(2024, 6, 16, 0, 1), today=today)


# --- measurements -----------------------------------------------------------------------------

def test_the_refusal_names_the_measurement_value_unit_and_limit() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_measurement("systolic_bp", "300")
    assert str(caught.value) == (
        "Systolic BP: 300 mmHg is above the highest plausible value (270 mmHg)"
    )
    assert caught.value.field == "Systolic BP"


@pytest.mark.parametrize("key", catalogue().keys())
def test_each_hard_limit_is_accepted_and_just_outside_is_refused(key: str) -> None:
    mtype = catalogue().get(key)
    step = 10 ** -mtype.decimals
    assert parse_measurement(key, mtype.hard_min, confirmed=True) == mtype.hard_min
    assert parse_measurement(key, mtype.hard_max, confirmed=True) == mtype.hard_max
    with pytest.raises(InvalidInput, match=mtype.label.replace("(", r"\(").replace(")", r"\)")):
        parse_measurement(key, mtype.hard_min - step, confirmed=True)
    with pytest.raises(InvalidInput, match="above the highest plausible value"):
        parse_measurement(key, mtype.hard_max + step, confirmed=True)


@pytest.mark.parametrize("key", catalogue().keys())
def test_each_warning_limit_needs_confirmation_just_outside(key: str) -> None:
    mtype = catalogue().get(key)
    step = 10 ** -mtype.decimals
    for limit, outside in ((mtype.warn_min, -step), (mtype.warn_max, step)):
        if limit is None:
            continue
        assert parse_measurement(key, limit) == limit
        with pytest.raises(NeedsConfirmation) as caught:
            parse_measurement(key, limit + outside)
        assert mtype.label in str(caught.value)
        assert caught.value.field == mtype.label
        assert parse_measurement(key, limit + outside, confirmed=True) == pytest.approx(
            limit + outside
        )


def test_a_very_high_systolic_asks_for_confirmation_in_clinical_words() -> None:
    with pytest.raises(NeedsConfirmation, match="Systolic BP: 181 mmHg is very high"):
        parse_measurement("systolic_bp", "181")


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("weight", "82.4", 82.4),
        ("weight", " 82.4 kg ", 82.4),
        ("weight", "82.45", 82.5),  # half up, not to even
        ("weight", "82", 82.0),
        ("hba1c", "47.5", 48.0),
        ("hba1c", "52 mmol/mol", 52.0),
        ("spo2", "96%", 96.0),
        ("egfr", "60 mL/min/1.73m²", 60.0),
        ("creatinine", "88 umol/L", 88.0),
        ("creatinine", "88 µmol/L", 88.0),
        ("pulse", "72", 72.0),
        ("activity_minutes", "0", 0.0),
        ("hdl", "1.234", 1.23),
        ("hdl", ".9", 0.9),
        ("weight", "+82", 82.0),
    ],
)
def test_measurements_are_read_with_their_own_unit_and_rounded(
    key: str, typed: str, stored: float
) -> None:
    assert parse_measurement(key, typed) == stored


@pytest.mark.parametrize(
    ("key", "typed", "reason"),
    [
        ("weight", "", "Weight: enter a value"),
        ("weight", "heavy", "Weight: is not a number"),
        ("weight", "82,4", "use a full stop for decimals"),
        ("activity_minutes", "1,200", "no commas"),
        ("weight", "180 lb", "enter the value in kg"),
        ("hba1c", "7.5%", "enter the value in mmol/mol"),
        ("weight", "-82", "cannot be negative"),
        ("weight", "nan", "is not a number"),
        ("weight", "inf", "is not a number"),
        ("weight", float("nan"), "must be a real number"),
        ("weight", float("inf"), "must be a real number"),
        ("weight", -1.0, "cannot be negative"),
        ("weight", True, "must be a number"),
        ("weight", "82.4.1", "Weight: is not a number"),
        ("weight", "82 4", "Weight: is not a number"),
        ("hba1c", "7.5", "HbA1c: 7.5 mmol/mol is below the lowest plausible value (20 mmol/mol)"),
    ],
)
def test_bad_measurement_input_is_refused_with_the_reason(
    key: str, typed: str | float, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_measurement(key, typed)
    assert reason in str(caught.value)


# --- blood pressure ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["142/88", "142 / 88", " 142/88 mmHg", "142.0/88"])
def test_blood_pressure_is_one_reading_stored_as_two_values(typed: str) -> None:
    assert parse_blood_pressure(typed) == (142.0, 88.0)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("142", "enter both numbers"),
        ("142/", "enter both numbers"),
        ("/88", "enter both numbers"),
        ("142/88/70", "enter both numbers"),
        ("", "enter the reading"),
        ("88/142", "systolic must be higher than diastolic"),
        ("90/90", "systolic must be higher than diastolic"),
        ("300/88", "Systolic BP: 300 mmHg is above the highest plausible value"),
        ("142/10", "Diastolic BP: 10 mmHg is below the lowest plausible value"),
        ("142/eighty", "Diastolic BP: is not a number"),
    ],
)
def test_bad_blood_pressure_is_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_blood_pressure(typed, confirmed=True)


def test_very_high_blood_pressure_needs_confirmation_then_is_kept() -> None:
    with pytest.raises(NeedsConfirmation, match="Diastolic BP: 125 mmHg is very high"):
        parse_blood_pressure("170/125")
    assert parse_blood_pressure("170/125", confirmed=True) == (170.0, 125.0)
    assert parse_blood_pressure("180/120") == (180.0, 120.0)


def test_a_refusal_is_reported_before_any_question() -> None:
    # Confirming an unusual systolic must not lead to a refusal the user was not told about.
    with pytest.raises(InvalidInput, match="Diastolic BP"):
        parse_blood_pressure("190/10")


# --- BMI --------------------------------------------------------------------------------------

def test_bmi_is_weight_over_height_squared_to_one_decimal() -> None:
    assert bmi(82.4, 175) == 26.9
    assert bmi(70, 170) == 24.2


def test_an_implausible_bmi_points_at_weight_and_height() -> None:
    with pytest.raises(InvalidInput, match="check the weight and height"):
        bmi(40, 230)
    with pytest.raises(NeedsConfirmation, match="BMI: 65.4 kg/m"):
        bmi(200, 174.9)
    assert bmi(200, 174.9, confirmed=True) == 65.4
    with pytest.raises(InvalidInput, match="BMI: the height must be more than zero"):
        bmi(70, 0)
