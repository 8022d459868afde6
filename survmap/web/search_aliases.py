"""What people type for what the records name otherwise: products, common names and
abbreviations of technologies ("Rekognition", "robot dog", "LPR"), and the short names of
agencies ("NYPD", "LAPD"). The search box adds them to an entry's searchable text, so they find
the entry without showing on it."""

from __future__ import annotations

import re

from survmap.records.models import TechnologyCategory

# By technology category (Technology.category), words a reader may use for it.
TECHNOLOGY_ALIASES: dict[str, tuple[str, ...]] = {
    TechnologyCategory.FACE_RECOGNITION: (
        "facial recognition",
        "face recognition",
        "FRT",
        "Rekognition",
        "Clearview",
    ),
    TechnologyCategory.ALPR: (
        "ALPR",
        "LPR",
        "license plate reader",
        "licence plate reader",
        "plate reader",
        "Flock",
    ),
    TechnologyCategory.ROBOT: ("robot dog", "Spot", "Boston Dynamics"),
    TechnologyCategory.GUNSHOT_DETECTION: ("ShotSpotter", "SoundThinking", "gunfire"),
    TechnologyCategory.DOORBELL_NETWORK: ("Ring", "Neighbors", "doorbell camera"),
    TechnologyCategory.DRONES: ("drone", "UAS", "UAV"),
    TechnologyCategory.BODY_CAMERAS: ("body cam", "bodycam", "BWC", "Axon"),
    TechnologyCategory.CELL_SITE_SIMULATOR: ("Stingray", "IMSI catcher"),
    TechnologyCategory.PREDICTIVE_POLICING: ("PredPol", "Geolitica"),
    TechnologyCategory.REAL_TIME_CRIME_CENTER: ("RTCC",),
    TechnologyCategory.FUSION_CENTER: ("intelligence center",),
}

# Agencies whose common short name is not the initials of their place (see agency_aliases).
AGENCY_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("NY", "New York City Police Department"): ("NYPD",),
    ("NY", "New York Police Department"): ("NYPD",),
    ("DC", "Metropolitan Police Department"): ("MPD", "DC police"),
    ("CA", "Los Angeles County Sheriff's Department"): ("LASD",),
    ("FL", "Miami-Dade Police Department"): ("MDPD",),
    ("FL", "Miami-Dade Sheriff's Office"): ("MDSO", "MDPD"),
}

# "<place> Police Department" -> "<initials>PD"; likewise sheriffs' offices and departments.
_SUFFIXES = (
    (re.compile(r"^(?P<place>.+?) police department$", re.I), "PD"),
    (re.compile(r"^(?P<place>.+?) sheriff'?s office$", re.I), "SO"),
    (re.compile(r"^(?P<place>.+?) sheriff'?s department$", re.I), "SD"),
)


def agency_aliases(name: str, state: str) -> tuple[str, ...]:
    """The short names of an agency: from the table, and the initials of a place of two or
    more words before "PD", "SO" or "SD" ("Los Angeles Police Department": "LAPD"). One-word
    places are left out: "DPD" would name every Denver, Dallas and Detroit."""
    aliases = list(AGENCY_ALIASES.get((state, name), ()))
    for pattern, suffix in _SUFFIXES:
        match = pattern.match(name.strip())
        if match:
            words = re.findall(r"[A-Za-z]+", match["place"])
            if len(words) >= 2:
                aliases.append("".join(word[0] for word in words).upper() + suffix)
    return tuple(aliases)
