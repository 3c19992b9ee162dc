from django.db import migrations


def settings_for_every_program(apps, schema_editor):
    """Programs made before their settings were made with them get their row, with the defaults."""
    Program = apps.get_model("partners", "Program")
    LeadProgramSettings = apps.get_model("leads", "LeadProgramSettings")
    LeadProgramSettings.objects.bulk_create(
        [LeadProgramSettings(program=program) for program in Program.objects.filter(lead_settings__isnull=True)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_redundant_indexes"),
        ("partners", "0003_tier_requirements"),
    ]

    operations = [migrations.RunPython(settings_for_every_program, migrations.RunPython.noop)]
