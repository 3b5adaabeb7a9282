"""Street names, cities and phone area codes of the synthetic hospital's catchment area.

City, state, ZIP and area code combinations are real ones (USPS ZIP Code lookup; NANPA area code
assignments), so addresses pass the registration checks (USPS Publication 28: two-letter state, ZIP or
ZIP+4) the way a clerk's typed address would. House numbers and streets are invented; no address is
anyone's.
"""

from __future__ import annotations

STREETS = (
    "Main St", "Oak Ave", "Maple St", "Cedar Ln", "Elm St", "Washington Blvd", "Lincoln Ave", "Park Pl",
    "Lakeview Dr", "Hillcrest Rd", "Sunset Blvd", "Riverside Dr", "Church St", "Mill Rd", "Highland Ave",
    "Jefferson St", "Franklin Ave", "Walnut St", "Chestnut St", "Pine Ridge Rd", "Calle Alegría",
    "Avenida de la Paz", "Rue Saint-Honoré", "Martin Luther King Jr Blvd", "Cesar Chavez Ave",
)  # fmt: skip

# (city, state, ZIP, telephone area code)
CITIES = (
    ("Springfield", "IL", "62704", "217"), ("Chicago", "IL", "60614", "773"), ("Peoria", "IL", "61604", "309"),
    ("Boston", "MA", "02118", "617"), ("Worcester", "MA", "01609", "508"), ("Lowell", "MA", "01852", "978"),
    ("Houston", "TX", "77004", "713"), ("San Antonio", "TX", "78207", "210"), ("El Paso", "TX", "79901", "915"),
    ("Los Angeles", "CA", "90033", "323"), ("San José", "CA", "95116", "408"), ("Fresno", "CA", "93701", "559"),
    ("Miami", "FL", "33125", "305"), ("Orlando", "FL", "32803", "407"), ("Brooklyn", "NY", "11211", "718"),
    ("Albany", "NY", "12203", "518"), ("Seattle", "WA", "98122", "206"), ("Minneapolis", "MN", "55407", "612"),
    ("Detroit", "MI", "48201", "313"), ("Atlanta", "GA", "30310", "404"), ("Phoenix", "AZ", "85006", "602"),
    ("Albuquerque", "NM", "87102", "505"), ("Denver", "CO", "80205", "303"), ("Cleveland", "OH", "44102", "216"),
)  # fmt: skip

UNITS_WORDS = ("Apt", "Unit", "#")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
