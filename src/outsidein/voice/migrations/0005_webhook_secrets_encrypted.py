"""Webhook signing secrets stored encrypted: the column widens, then every stored plain-text
secret is encrypted in place (and decrypted again when the migration is reversed)."""

from django.db import migrations

import outsidein.core.crypto
import outsidein.voice.models
from outsidein.core import crypto

PURPOSE = "outsidein.voice.webhook-secret"
TABLES = ("voice_inboundhook", "voice_outboundhook")


def _rewrite(schema_editor, change) -> None:  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 (fixed table names)
            for row_id, value in cursor.fetchall():
                new = change(value)
                if new is not None:
                    cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [new, row_id])  # noqa: S608


def encrypt_secrets(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    _rewrite(
        schema_editor,
        lambda v: crypto.encrypt(v, purpose=PURPOSE) if v and v.startswith("whsec_") else None,
    )


def decrypt_secrets(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    def plain(value: str) -> str | None:
        if not value or value.startswith("whsec_"):
            return None
        try:
            return crypto.decrypt(value, purpose=PURPOSE)
        except crypto.SecretUnreadable:
            return None

    _rewrite(schema_editor, plain)


class Migration(migrations.Migration):
    dependencies = [
        ("voice", "0004_question_branches"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboundhook",
            name="secret",
            field=outsidein.core.crypto.EncryptedCharField(
                default=outsidein.voice.models._hook_secret,
                editable=False,
                max_length=255,
                purpose=PURPOSE,
            ),
        ),
        migrations.AlterField(
            model_name="outboundhook",
            name="secret",
            field=outsidein.core.crypto.EncryptedCharField(
                default=outsidein.voice.models._hook_secret,
                editable=False,
                max_length=255,
                purpose=PURPOSE,
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
