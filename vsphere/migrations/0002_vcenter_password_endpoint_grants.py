"""vCenters become platform rows: passwords bound to their endpoint; ``tenants`` are the grants.

Existing rows already hold one row per vCenter (unique instance uuid) and their tenants
in the ``tenants`` table, which is now read as the grants: every tenant that used a
vCenter keeps a grant to it. Each stored password is bound to the endpoint the row
points at today, so moving the host later needs the password again.
"""

from django.db import migrations, models


def bind_passwords(apps, schema_editor):
    VCenter = apps.get_model("vsphere", "VCenter")
    for vcenter in VCenter.objects.only("pk", "protocol", "user", "host", "port"):
        # Frozen copy of VCenter.credential_target as of this migration.
        target = f"{vcenter.protocol}://{vcenter.user}@{vcenter.host}:{vcenter.port}"
        VCenter.objects.filter(pk=vcenter.pk).update(password_endpoint=target)


class Migration(migrations.Migration):

    dependencies = [
        ('orchestration', '0006_taskexecution_created_at_engine_clock'),
        ('vsphere', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='vcenter',
            name='password_endpoint',
            field=models.CharField(blank=True, editable=False, help_text='The endpoint (protocol://user@host:port) the stored password was entered for.', max_length=600),
        ),
        migrations.AlterField(
            model_name='vcenter',
            name='tenants',
            field=models.ManyToManyField(blank=True, help_text='Tenants this vCenter is granted to (platform staff only).', related_name='vcenters', to='orchestration.tenant', verbose_name='granted to'),
        ),
        migrations.RunPython(bind_passwords, migrations.RunPython.noop),
    ]
