"""The groups summary and the member-to-groups index (pure functions of `OrgGroup`s)."""

from __future__ import annotations

from app.core.groups import OrgGroup, groups_of_members, pushed_summary


def test_pushed_summary_names_each_group_with_its_size() -> None:
    groups = [
        OrgGroup(id="g1", name="Engineering", member_ids=tuple(f"m{i}" for i in range(12))),
        OrgGroup(id="g2", name="Sales", member_ids=("m1", "m2", "m3", "m4")),
    ]
    assert pushed_summary(groups) == "Okta has pushed 2 groups: Engineering (12), Sales (4)."
    assert pushed_summary(groups[1:]) == "Okta has pushed 1 group: Sales (4)."
    assert pushed_summary([]) == "Okta has pushed no groups yet."


def test_pushed_summary_cleans_names_shows_unknown_sizes_bare_and_caps_the_list() -> None:
    hostile = OrgGroup(id="g", name="Ops\u202e\x1b[2J\nteam", member_ids=None)
    assert pushed_summary([hostile]) == "Okta has pushed 1 group: Ops [2J team."
    many = [OrgGroup(id=str(i), name=f"G{i}", member_ids=()) for i in range(8)]
    assert pushed_summary(many, shown=2) == "Okta has pushed 8 groups: G0 (0), G1 (0), and 6 more."


def test_groups_of_members_lists_each_members_groups_in_order() -> None:
    groups = [
        OrgGroup(id="a", name="A", member_ids=("m1", "m2")),
        OrgGroup(id="b", name="B", member_ids=("m2",)),
        OrgGroup(id="c", name="C", member_ids=None),
    ]
    assert groups_of_members(groups) == {"m1": ["a"], "m2": ["a", "b"]}
