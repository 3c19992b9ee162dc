# Django's "N j, Y, P" with the time zone.
DATETIME_FORMAT = "N j, Y, P T"
