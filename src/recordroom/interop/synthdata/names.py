"""Name lists of the synthetic hospital: a short, hand-picked sample, not a census.

The mix follows what an MPI in a US city holds (US Census Bureau, *Frequently Occurring Surnames from the
2010 Census*; Social Security Administration, *Popular Baby Names*): common Anglo surnames shared by many
unrelated people, Hispanic names with diacritics (Núñez, Peña), names with apostrophes and particles
(O'Brien, van der Berg), hyphenated family names, and names in non-Latin scripts (Han, Cyrillic, Greek,
Arabic, Devanagari) that the name search must handle. Nicknames follow the common English and Spanish
hypocorisms that registration clerks see on forms (the "nickname" near-duplicates of AHIMA's MPI guidance).
"""

from __future__ import annotations

FEMALE_GIVEN = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "Margaret", "Katherine", "Rebecca", "Deborah", "Rachel", "Catherine", "Christina", "Victoria", "Abigail",
    "Emily", "Olivia", "Sophia", "Isabella", "Madison", "Charlotte", "Amelia", "Harper", "Evelyn", "Aaliyah",
    "Ana", "María", "Lucía", "Sofía", "Valentina", "Ximena", "Guadalupe", "Dolores", "Inés", "Begoña",
    "Chloé", "Zoë", "Hélène", "Anaïs", "Mónica", "Renée", "Siobhán", "Aoife", "Ngozi", "Chiamaka",
    "Fatima", "Aisha", "Mei", "Yuki", "Priya", "Ananya", "Thu", "Linh", "Hana", "Ingrid", "Åsa",
    "Björg", "Małgorzata", "Zuzana", "Dagny", "Keisha", "Imani", "Jazmín", "Noémie", "Léa",
    "李娜", "王芳", "Анна", "Ελένη", "فاطمة", "प्रिया",
)  # fmt: skip

MALE_GIVEN = (
    "James", "Robert", "John", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Edward", "Jonathan", "Nicholas", "Benjamin", "Samuel",
    "Alexander", "Liam", "Noah", "Elijah", "Mason", "Logan", "Ethan", "Jayden", "Jaden", "Jackson",
    "José", "Juan", "Luis", "Jesús", "Francisco", "Alejandro", "Guillermo", "Andrés", "Joaquín", "Ramón",
    "François", "Jérôme", "Loïc", "Björn", "Søren", "Jürgen", "Łukasz", "Tomáš", "Seán", "Pádraig",
    "Oluwaseun", "Chukwuemeka", "Kwame", "Mohammed", "Omar", "Wei", "Hiroshi", "Raj", "Arjun", "Minh",
    "Duc", "Dmitri", "Nikolai", "Mateo", "Santiago", "DeShawn", "Tyrone", "Malik", "Ahmad",
    "王伟", "张伟", "Иван", "Γιώργος", "محمد", "राहुल",
)  # fmt: skip

FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Phillips",
    "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Núñez", "Peña", "Muñoz", "Ibáñez", "Gutiérrez", "Domínguez", "Jiménez", "Álvarez", "Ordóñez", "Treviño",
    "Alcántar", "Mejía", "Fernández", "Martínez", "Rodríguez", "González", "Hernández", "López", "Pérez",
    "O'Brien", "O'Connor", "D'Angelo", "McDonald", "MacLeod", "van der Berg", "de la Cruz", "Du Bois",
    "St. John", "Müller", "Schröder", "Weiß", "Gößmann", "Björklund", "Øvergaard", "Kowalczyk", "Wiśniewski",
    "Dvořák", "Novák", "Šimić", "Nowak", "Okafor", "Adeyemi", "Mensah", "Nakamura", "Tanaka", "Kim", "Park",
    "Chen", "Wang", "Patel", "Shah", "Singh", "Tran", "Pham", "Le", "Khan", "Haddad", "Cohen", "Goldberg",
    "Papadopoulos", "Ivanov", "Kuznetsova", "Fitzgerald", "Ní Bhriain",
    "王", "李", "张", "Иванова", "Παπαδόπουλος", "الحسن", "शर्मा",
)  # fmt: skip

# Formal given name -> nicknames seen on registration forms (English and Spanish hypocorisms).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"), "Richard": ("Rick", "Dick"),
    "James": ("Jim", "Jimmy"), "John": ("Jack", "Johnny"), "Michael": ("Mike",), "Joseph": ("Joe",),
    "Thomas": ("Tom", "Tommy"), "Charles": ("Charlie", "Chuck"), "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Anthony": ("Tony",), "Edward": ("Ed", "Ted"),
    "Jonathan": ("Jon",), "Nicholas": ("Nick",), "Benjamin": ("Ben",), "Samuel": ("Sam",),
    "Alexander": ("Alex",), "Elizabeth": ("Liz", "Beth", "Betty"), "Margaret": ("Peggy", "Maggie"),
    "Katherine": ("Kate", "Kathy"), "Catherine": ("Cathy", "Cat"), "Rebecca": ("Becky",), "Deborah": ("Debbie",),
    "Patricia": ("Patty", "Trish"), "Jennifer": ("Jen", "Jenny"), "Susan": ("Sue",), "Barbara": ("Barb",),
    "Victoria": ("Vicky", "Tori"), "Abigail": ("Abby",), "Christina": ("Tina",), "Jessica": ("Jess",),
    "José": ("Pepe",), "Francisco": ("Paco", "Pancho"), "Guillermo": ("Memo",), "Alejandro": ("Alex",),
    "Jesús": ("Chuy",), "Guadalupe": ("Lupe",), "Dolores": ("Lola",), "Ramón": ("Moncho",),
}  # fmt: skip

MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"

# Names in non-Latin scripts with the romanization a registration clerk types when a system cannot hold the
# script (ISO 7098 pinyin, ISO 9 / BGN-PCGN Cyrillic, ELOT 743 Greek, common Arabic and Hindi spellings).
ROMANIZED: dict[str, str] = {
    "李娜": "Li Na", "王芳": "Wang Fang", "Анна": "Anna", "Ελένη": "Eleni", "فاطمة": "Fatima", "प्रिया": "Priya",
    "王伟": "Wang Wei", "张伟": "Zhang Wei", "Иван": "Ivan", "Γιώργος": "Giorgos", "محمد": "Muhammad",
    "राहुल": "Rahul", "王": "Wang", "李": "Li", "张": "Zhang", "Иванова": "Ivanova",
    "Παπαδόπουλος": "Papadopoulos", "الحسن": "Al-Hassan", "शर्मा": "Sharma",
}  # fmt: skip
