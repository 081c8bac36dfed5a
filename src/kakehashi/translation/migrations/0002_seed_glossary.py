"""Seed the glossary with the usual terms of coordinated disclosure in Japan
(the wording of the IPA/JPCERT/CC guideline and its English edition). Operators may
change or remove them afterwards; a pair that already exists is left alone."""

from django.db import migrations

TERMS = [
    ("脆弱性", "vulnerability", ""),
    ("脆弱性関連情報", "vulnerability-related information", ""),
    ("起算日", "day zero", "最初に製品開発者への連絡を試みた日 / the first attempt to contact a vendor"),
    ("製品開発者", "vendor", ""),
    ("製品開発者", "product developer", "ガイドラインの用語 / the guideline's term"),
    ("調整機関", "coordinator", "ガイドラインでは JPCERT/CC / JPCERT/CC in the guideline"),
    ("受付機関", "reception desk", "ガイドラインでは IPA / IPA in the guideline"),
    ("届出", "report", ""),
    ("届出者", "reporter", ""),
    ("発見者", "finder", ""),
    ("公表", "publication", ""),
    ("公表日", "publication date", ""),
    ("回避策", "workaround", ""),
    ("対策", "countermeasure", ""),
    ("修正版", "fixed version", ""),
    ("影響を受ける製品", "affected products", ""),
    ("情報非開示依頼", "non-disclosure request", ""),
    ("ウェブサイト運営者", "website operator", ""),
    ("受理", "acceptance", "届出の受理 / of a report"),
]


def seed(apps, schema_editor):
    GlossaryTerm = apps.get_model("translation", "GlossaryTerm")
    for term_ja, term_en, note in TERMS:
        GlossaryTerm.objects.get_or_create(term_ja=term_ja, term_en=term_en, defaults={"note": note})


def unseed(apps, schema_editor):
    GlossaryTerm = apps.get_model("translation", "GlossaryTerm")
    for term_ja, term_en, _note in TERMS:
        GlossaryTerm.objects.filter(term_ja=term_ja, term_en=term_en).delete()


class Migration(migrations.Migration):
    dependencies = [("translation", "0001_tasks_glossary_memory")]

    operations = [migrations.RunPython(seed, unseed)]
