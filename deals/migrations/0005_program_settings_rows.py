from django.db import migrations


def settings_for_every_program(apps, schema_editor):
    """Programs made before their settings were made with them get their row, with the defaults."""
    Program = apps.get_model("partners", "Program")
    DealProgramSettings = apps.get_model("deals", "DealProgramSettings")
    DealProgramSettings.objects.bulk_create(
        [DealProgramSettings(program=program) for program in Program.objects.filter(deal_settings__isnull=True)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0004_live_exact_match_indexes"),
        ("partners", "0002_recruitment_onboarding"),
    ]

    operations = [migrations.RunPython(settings_for_every_program, migrations.RunPython.noop)]
