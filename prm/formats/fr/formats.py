# Django's "j F Y H:i" with the time zone.
DATETIME_FORMAT = "j F Y H:i T"
