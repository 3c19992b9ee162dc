"""The product catalogue: the products the vendor sells, kept by staff, named in three languages.

Deal registrations name the products they are about, leads their product of interest (and the
assignment rules the products they route); later MDF and support use it too. ``catalogue`` imports
only ``prm``; the apps above read it through ``catalogue.selectors`` and its models.
"""
