"""Random and hostile input to the configurator, its fragment and the quote API never gets a 500."""

from urllib.parse import quote_from_bytes, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = st.sampled_from(["frame", "motor", "battery", "color", "ral", "accessories", "total_cents", "x", ""])
VALUES = st.one_of(
    st.sampled_from(["cargo", "mid-750", "b750", "custom", "RAL 5015", "child-seat", "folding", "rack"]),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
)
QUERIES = st.lists(st.tuples(KEYS, VALUES), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_hostile_queries_never_break_the_shop(client, query):
    encoded = urlencode(query)
    for path, headers in (("/configure", {}), ("/configure/summary", {"HX-Request": "true"}), ("/api/quote", {})):
        response = client.get(f"{path}?{encoded}", headers=headers)
        assert response.status_code < 500, (path, query)
        if path == "/api/quote":
            assert response.status_code in (200, 422)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400))
def test_raw_bytes_in_the_query_string_never_break_the_quote_api(client, raw):
    response = client.get("/api/quote?" + quote_from_bytes(raw, safe="=&[]"))
    assert response.status_code in (200, 422)
