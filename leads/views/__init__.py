"""Pages of lead distribution: ``partner`` (the partner's inbox, a lead's page and its actions) and
``staff`` (the staff's CSV import of leads, a job's progress and its error report)."""
