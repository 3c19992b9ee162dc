"""URLs of the leads app, each module mounted at its own prefix by ``prm.urls``: ``partner``
(/leads/: the partner's inbox and a lead's actions), ``staff`` (/staff/leads/: the CSV import of
leads) and ``api_imports`` (/api/v1/lead-imports/: the import API). The lead API's viewset is
registered on the API router in ``prm.urls``."""
