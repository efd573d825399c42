"""Indian GST reference data: the states and union territories with their GST state codes, and GSTIN checks.

Sources:
- State codes: the first two digits of a GSTIN are the state code of the Indian census 2011 list
  used by the GST Network (CGST Rules 2017, Rule 10 and Form GST REG-06); 26 covers Dadra and
  Nagar Haveli and Daman and Diu since their merger (26 January 2020), 37 is Andhra Pradesh after
  its reorganisation (28 was the old code), 38 is Ladakh, 97 "Other Territory" and 99 "Centre
  Jurisdiction". Codes 25 and 28 are kept so that old GSTINs still name their state.
- GSTIN format (CGST Rules 2017, Rule 10(1) and the GSTN's structure): 2-digit state code, the
  10-character PAN, one entity number (1-9, A-Z), the letter Z by default, and a check character
  computed with the base-36 Luhn "mod 36" algorithm over the first 14 characters.

A state is chosen from :data:`STATES` by its code, never typed as free text.
"""

from __future__ import annotations

import re

STATES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu (before 2020)",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before 2014)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}
RETIRED = frozenset({"25", "28"})  # valid in old GSTINs, not offered for new records
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GSTIN_RE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")


def state_options() -> list[tuple[str, str]]:
    """(code, "27 · Maharashtra") pairs for a select, current states only, by name."""
    current = [(code, name) for code, name in STATES.items() if code not in RETIRED]
    return [(code, f"{code} · {name}") for code, name in sorted(current, key=lambda item: item[1])]


def state_name(code: str) -> str:
    """The state's name for its GST code ("" for an unknown code)."""
    return STATES.get(code, "")


def state_code_of(name: str) -> str:
    """The GST code of a state written out ("maharashtra" -> "27"), or "" when no state has that name."""
    wanted = " ".join(name.split()).casefold()
    return next((code for code, known in STATES.items() if known.casefold() == wanted), "")


def gstin_check_char(first14: str) -> str:
    """The check character of a GSTIN from its first 14 characters (base-36 Luhn, factors 1, 2, 1, 2 ...)."""
    total = 0
    for index, char in enumerate(first14):
        product = ALPHABET.index(char) * (1 if index % 2 == 0 else 2)
        total += product // 36 + product % 36
    return ALPHABET[(36 - total % 36) % 36]


def gstin_problem(gstin: str, state_code: str = "") -> str | None:
    """Why ``gstin`` is not a valid GSTIN (of ``state_code`` when given), or None when it is."""
    text = gstin.strip().upper()
    if not GSTIN_RE.match(text):
        return "A GSTIN is 15 characters: state code, PAN, entity number, Z and a check character."
    if text[:2] not in STATES:
        return f"A GSTIN starts with a state code; {text[:2]} is none."
    if gstin_check_char(text[:14]) != text[14]:
        return "This GSTIN's check character is wrong: check it against the GST certificate."
    if state_code and text[:2] != state_code:
        return f"This GSTIN is registered in {state_name(text[:2])} ({text[:2]}), not {state_name(state_code)}."
    return None
