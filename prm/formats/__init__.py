"""The portal's date formats over Django's (``FORMAT_MODULE_PATH``): a date with a time shows its
time zone ("Dec. 6, 2026, 6:17 a.m. UTC"), since staff read dates in the zone they chose
(``User.time_zone``) beside colleagues in others. Anything not set here is Django's format."""
