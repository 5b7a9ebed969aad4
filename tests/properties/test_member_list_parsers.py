"""Hypothesis: the msgspec fast path of the member list never disagrees with `Member` validation.

Whatever list body it takes (any bytes, any JSON, member-like JSON with any value in any field,
snake-case names, duplicated keys), it either declines (None: the slower paths decide) or gives
exactly the summaries pydantic's `_MemberList` gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.public_api import _MEMBERS, MemberSummary, _msgspec_member_summaries
from tests.properties import strategies as s

snake = st.fixed_dictionaries(
    {},
    optional={
        "user_id": s.uuids | s.json_values,
        "external_id": st.text(max_size=10) | s.json_values,
        "two_factor_enabled": st.booleans() | s.json_values,
        "reset_password_enrolled": st.booleans() | s.json_values,
    },
)
#: Mostly what the server sends (so the fast path often answers), sometimes one odd value.
likely = st.fixed_dictionaries(
    {
        "id": s.uuids,
        "email": s.emails,
        "status": st.sampled_from([-1, 0, 1, 2, 3]) | st.integers(-2, 4),
        "type": st.sampled_from([0, 1, 2, 4]) | st.integers(-1, 5),
    },
    optional={
        "userId": s.uuids | st.none(),
        "name": st.text(max_size=20) | st.none(),
        "externalId": st.text(max_size=10) | st.none(),
        "twoFactorEnabled": st.booleans(),
        "resetPasswordEnrolled": st.booleans(),
        "permissions": s.json_values,
    },
)
odd = st.sampled_from(
    ["id", "email", "status", "type", "userId", "name", "twoFactorEnabled", "resetPasswordEnrolled"]
).flatmap(lambda key: st.sampled_from(["1", 1, 1.0, True, None, "", "x"]).map(lambda v: {key: v}))
members = st.one_of(
    likely,
    likely,
    likely,
    st.tuples(likely, odd | snake).map(lambda pair: {**pair[0], **pair[1]}),
    s.member,
)
lists = st.lists(members, max_size=3).map(lambda data: {"object": "list", "data": data})
duplicated = st.tuples(lists, s.member).map(
    lambda pair: json.dumps(pair[0])[:-1] + ', "data": [' + json.dumps(pair[1]) + "]}"
)
bodies = (
    s.bodies(s.member_list)
    | lists.map(lambda v: json.dumps(v).encode())
    | duplicated.map(str.encode)
)


@settings(max_examples=400, deadline=None)
@given(body=bodies)
def test_the_fast_path_declines_or_agrees_with_member_validation(body: bytes) -> None:
    fast = _msgspec_member_summaries(body)
    if fast is None:
        return
    try:
        expected = [MemberSummary.of(m) for m in _MEMBERS.validate_json(body).data]
    except ValidationError as exc:  # pragma: no cover - the failure this test exists to find
        raise AssertionError(f"the fast path took a body pydantic refuses: {exc}") from exc
    assert fast == expected
    assert [type(m.status) for m in fast] == [type(m.status) for m in expected]


#: Text rich in what a cut between members looks like, and in what JSON escapes.
cutty = st.text(
    alphabet=st.sampled_from(["}", ",", "{", '"', "\\", "]", "[", "a", "é"]), max_size=12
)
compact_members = st.lists(
    st.one_of(
        likely.map(lambda m: {**m, "name": "},{"}),
        st.tuples(likely, cutty).map(lambda pair: {**pair[0], "name": pair[1]}),
        st.tuples(likely, cutty).map(
            lambda pair: {**pair[0], "collections": [{"id": pair[1]}, {"id": "x"}]}
        ),
        members,
    ),
    max_size=6,
)
ends = st.sampled_from([b"]}", b'],"continuationToken":null}', b"]} ", b"]]}"])


@settings(max_examples=300, deadline=None)
@given(data=compact_members, end=ends, segment=st.integers(1, 400))
def test_slices_of_a_compact_body_decline_or_agree_with_member_validation(
    data: list[dict[str, object]], end: bytes, segment: int
) -> None:
    """Bitwarden's compact body is decoded in slices cut at "},{": wherever the cuts fall (any
    slice size) and whatever the members' text holds, the result is pydantic's or None."""
    items = b",".join(json.dumps(m, separators=(",", ":")).encode() for m in data)
    body = b'{"object":"list","data":[' + items + end
    fast = _msgspec_member_summaries(body, segment=segment)
    if fast is None:
        return
    try:
        expected = [MemberSummary.of(m) for m in _MEMBERS.validate_json(body).data]
    except ValidationError as exc:  # pragma: no cover - the failure this test exists to find
        raise AssertionError(f"the slices took a body pydantic refuses: {exc}") from exc
    assert fast == expected
    assert [type(m.status) for m in fast] == [type(m.status) for m in expected]
