# Django's format with the time zone.
DATETIME_FORMAT = r"j \d\e F \d\e Y à\s H:i T"
