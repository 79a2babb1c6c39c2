"""The one registry of quarantine categories (issue #13): every category the cleaner writes is in it,
with words in both languages, and the department loop's rules follow it."""

from __future__ import annotations

from gxq_analysis.i18n import catalogue
from gxq_analysis.ingest import clean, quarantine
from gxq_analysis.loop.corrections import plain_reason
from gxq_analysis.loop.submissions import needs_person
from gxq_analysis.model.flags import FALSE_WORDS, TRUE_WORDS, is_true
from gxq_analysis.model.periods import parse_period
from gxq_analysis.model.plan import load_plan


def _written_ids() -> set[str]:
    return {v for k, v in vars(clean).items() if k.startswith("Q_") and isinstance(v, str)}


def test_every_category_the_cleaner_writes_is_registered_with_both_labels():
    ids = _written_ids()
    assert len(ids) == 23
    assert ids == set(quarantine.CATEGORIES)
    for cid, cat in quarantine.CATEGORIES.items():
        assert cat.id == cid
        assert cat.label_zh and cat.label_en and cat.label_zh != cat.label_en
        assert quarantine.label(cid, "zh") == cat.label_zh
        assert quarantine.label(cid, "en") == cat.label_en


def test_catalogue_has_no_label_for_an_unknown_id_and_unknown_ids_need_a_check():
    labels = {k.split(".", 1)[1] for k in catalogue("quarantine") if k.startswith("label.")}
    assert labels == set(quarantine.CATEGORIES)
    assert quarantine.label("made_up", "en") == "made_up"
    assert quarantine.needs_check("made_up") is True


def test_only_rule_handled_categories_need_no_person():
    handled = {cid for cid, cat in quarantine.CATEGORIES.items() if not cat.needs_person}
    assert handled == {"duplicate", "superseded", "context_only", "different_population"}
    assert all(quarantine.needs_check(c) is (c not in handled) for c in quarantine.CATEGORIES)


def test_the_department_loop_follows_the_registry():
    plan = load_plan()
    period = parse_period("2019Q3")
    for cid in quarantine.CATEGORIES:
        row = {"category": cid, "indicator_id": "", "period": "2019Q3"}
        if cid == "no_value":  # a blank row is a task only for the sender's own indicators
            assert needs_person(row, set(), period) is False
            continue
        assert needs_person(row, set(), period) is quarantine.needs_check(cid)
    assert plain_reason({"category": "invalid_value"}, plan) == quarantine.message("invalid_value")
    assert plain_reason({"category": "conflict"}, plan) == quarantine.message("message-less")
    assert "请核实后更正" in quarantine.message("generic")


def test_one_definition_of_true():
    assert TRUE_WORDS.isdisjoint(FALSE_WORDS)
    assert all(is_true(w) for w in ("true", " TRUE ", "Yes", "y", "t", "1", "是"))
    assert not any(is_true(w) for w in ("false", "0", "no", "否", "", "maybe", None))
