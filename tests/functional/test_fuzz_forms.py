"""Random and hostile input to every public form: checkout, order lookup and staff sign-in. Never a 500."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storefront.extensions import limiter

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=5000),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "RAL 5015",
            "EB-2026-00001",
            "a@b.co",
            "9" * 40,
            "US",
            "CA",
            "ZZ",
            "y",
            "on",
        ]
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
BUILD = "frame=step-through&motor=hub-250&battery=b400&color=graphite"


def token_from(client, url: str) -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def post_fuzzed(client, url: str, names: list[str], data, with_token: bool):
    limiter.reset()
    form = {name: data.draw(HOSTILE, label=name) for name in names if data.draw(st.booleans(), label=f"has {name}")}
    extra = data.draw(st.dictionaries(st.text(max_size=20), HOSTILE, max_size=3), label="extra fields")
    form = {**extra, **form}
    if with_token:
        form["csrf_token"] = token_from(client, url)
    return client.post(url, data=form)


@FUZZ
@given(data=st.data(), with_token=st.booleans())
def test_the_checkout_form_answers_hostile_input_without_a_500(client, data, with_token):
    names = [
        "full_name",
        "email",
        "phone",
        "line1",
        "line2",
        "city",
        "postal_code",
        "region",
        "country",
        "terms",
        "total_cents",
        "price",
    ]
    response = post_fuzzed(client, f"/checkout?{BUILD}", names, data, with_token)
    assert response.status_code < 500
    assert response.status_code in (200, 303, 400, 422) or response.status_code == 302


@FUZZ
@given(data=st.data(), with_token=st.booleans())
def test_the_order_lookup_answers_hostile_input_without_a_500(client, data, with_token):
    response = post_fuzzed(client, "/orders/lookup", ["number", "email"], data, with_token)
    assert response.status_code in (200, 303, 400, 404, 422, 429)


@FUZZ
@given(data=st.data(), with_token=st.booleans())
def test_staff_sign_in_answers_hostile_input_without_a_500(client, data, with_token):
    response = post_fuzzed(client, "/backoffice/login", ["email", "password"], data, with_token)
    assert response.status_code in (200, 303, 400, 401, 422, 429)


@FUZZ
@given(path=st.text(alphabet=st.characters(codec="ascii", exclude_characters="?#"), max_size=300))
def test_random_paths_under_orders_get_a_404_not_a_500(client, path):
    response = client.get("/orders/" + path)
    assert response.status_code < 500
