"""The configurator page, its htmx summary fragment, the JSON quote API and their error cases."""

import re

import pytest

BUILD = "frame=step-through&motor=hub-250&battery=b400&color=graphite"


def test_the_shop_front_redirects_to_a_starting_build(client):
    response = client.get("/configure")
    assert response.status_code == 302
    assert "frame=step-through" in response.headers["Location"]


def test_the_page_shows_price_date_and_options(client):
    response = client.get(f"/configure?{BUILD}&accessories=rack")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html
    assert "$1,355.00" in html  # 1,290 + 65 rack
    assert 'id="delivery-window"' in html and "Mon 7 Dec 2026" in html
    assert re.search(r'<input[^>]*name="frame"[^>]*type="radio"[^>]*value="cargo"', html)
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_an_htmx_request_gets_only_the_fragment_with_options_out_of_band(client, htmx_headers):
    response = client.get(f"/configure/summary?{BUILD}&motor=mid-500", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="summary"' in html and 'hx-swap-oob="true"' in html
    assert "Mon 7 Dec 2026" in html
    assert response.headers["HX-Replace-Url"].startswith("/configure?frame=step-through")


def test_without_javascript_the_summary_route_renders_the_full_page(client):
    html = client.get(f"/configure/summary?{BUILD}").get_data(as_text=True)
    assert "<html" in html and 'id="summary"' in html


def test_options_show_the_days_they_add(client):
    html = client.get(f"/configure?{BUILD}").get_data(as_text=True)
    # the folding frame is out of stock: 20 working days from supplier
    folding = html.split('data-option="folding"')[1].split("</label>")[0]
    assert "+" in folding and "days" in folding


def test_blocked_options_are_disabled_with_their_reason(client):
    html = client.get("/configure?frame=folding&motor=hub-250&battery=b400&color=graphite").get_data(as_text=True)
    b750 = html.split('data-option="b750"')[1].split("</label>")[0]
    assert "disabled" in b750 and "does not fit the folding frame" in b750


def test_a_conflicting_change_is_explained_with_a_one_click_fix(client):
    html = client.get("/configure?frame=folding&motor=mid-500&battery=b750&color=graphite").get_data(as_text=True)
    assert "The 750 Wh battery does not fit the folding frame." in html
    assert "Switch battery to 400 Wh" in html
    assert "Buy this build" not in html


def test_the_quote_api_returns_lines_total_and_estimate(client):
    response = client.get(f"/api/quote?{BUILD}&accessories=lights&accessories=rack")
    data = response.get_json()
    assert response.status_code == 200
    assert data["valid"] is True and data["currency"] == "USD"
    assert data["total_cents"] == 129000 + 9000 + 6500
    assert [line["code"] for line in data["lines"]] == [
        "ebike",
        "step-through",
        "hub-250",
        "b400",
        "graphite",
        "rack",
        "lights",
    ]
    assert data["estimate"]["earliest"] == "2026-12-07" and data["estimate"]["latest"] == "2026-12-10"
    assert data["estimate"]["steps"][0]["kind"] == "component"


def test_client_price_fields_are_ignored(client):
    data = client.get(f"/api/quote?{BUILD}&total_cents=1&price_cents=1").get_json()
    assert data["total_cents"] == 129000


@pytest.mark.parametrize(
    "query",
    [
        "frame=cargo&motor=hub-250&battery=b400&color=graphite",
        "frame=step-through&motor=hub-250&battery=b400",
        "frame=step-through&frame=cargo&motor=hub-250&battery=b400&color=graphite",
        f"{BUILD}&color=custom&ral=RAL55",
        "frame=" + "x" * 5000,
        "%ff%fe=%00&&&=&frame[]=1",
        "",
    ],
)
def test_invalid_builds_get_422_with_errors_from_the_api(client, query):
    response = client.get(f"/api/quote?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["valid"] is False and body["errors"]
    assert all({"group", "message"} <= set(e) for e in body["errors"])


@pytest.mark.parametrize("query", ["frame=warp&motor=hub-250", "frame=" + "y" * 3000, "color=custom&ral=%00%ff"])
def test_bad_input_on_the_page_gets_an_inline_error_never_a_500(client, query):
    response = client.get(f"/configure?{query}")
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True) or "can’t be made" in response.get_data(as_text=True)


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_readyz_reports_migrations_current(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["migrations"] == "current"
