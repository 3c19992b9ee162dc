"""Demo data of the product catalogue. Idempotent; called by prm.demo.seed_demo() before deals and leads,
whose demo data name these products (the order of INSTALLED_APPS)."""

# name (en, pt-br, fr)
PRODUCTS = [
    ("Cloud Platform", "Plataforma em Nuvem", "Plateforme cloud"),
    ("Data Analytics Suite", "Suíte de Análise de Dados", "Suite d'analyse de données"),
    ("Security Gateway", "Gateway de Segurança", "Passerelle de sécurité"),
    ("Managed Backup", "Backup Gerenciado", "Sauvegarde managée"),
]


def seed() -> None:
    from .models import Product

    for en, pt, fr in PRODUCTS:
        Product.objects.get_or_create(name_en=en, defaults={"name_pt_br": pt, "name_fr": fr})
