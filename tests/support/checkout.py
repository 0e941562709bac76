"""Test fixtures for the checkout area: a fake Stripe API on 127.0.0.1, signed webhook events, and a
real local SMTP server (aiosmtpd).

The fake answers what the shop calls (create a Customer, create and retrieve a Checkout Session, create a
Refund) with Stripe's response shapes, and unknown or missing parameters with Stripe's 400 error shape. With
`automatic_tax`, it computes tax as Stripe Tax does for the account's registrations in `tax_rates` (per line and
for shipping, rounded half up) and answers in `total_details.amount_tax` and `automatic_tax.status`.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from storefront.extensions import db
from storefront.models import Checkout
from storefront.payments.stripe_gateway import API_VERSION

WEBHOOK_SECRET = "whsec_test_secret_for_the_fake"
SERVER_POLL_SECONDS = 0.02  # how often a local test server checks whether it was asked to stop
API_KEY = "sk_test_fake_key"

SESSION_PARAMS = {
    "mode", "line_items", "customer_email", "client_reference_id", "metadata", "success_url", "cancel_url",
    "expires_at", "payment_method_types", "customer", "currency", "locale", "payment_intent_data",
    "shipping_address_collection", "phone_number_collection", "allow_promotion_codes", "billing_address_collection",
    "submit_type", "automatic_tax", "ui_mode", "return_url", "custom_text", "consent_collection", "expand",
    "shipping_options", "customer_update", "tax_id_collection",
}  # fmt: skip
LINE_ITEM_PARAMS = {"quantity", "price", "price_data", "adjustable_quantity", "tax_rates", "dynamic_tax_rates"}
PRICE_DATA_PARAMS = {"currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "tax_behavior"}
SHIPPING_OPTION_PARAMS = {"shipping_rate", "shipping_rate_data"}
SHIPPING_RATE_DATA_PARAMS = {"display_name", "type", "fixed_amount", "tax_behavior", "tax_code", "delivery_estimate",
                             "metadata"}  # fmt: skip
AUTOMATIC_TAX_PARAMS = {"enabled", "liability"}
CUSTOMER_PARAMS = {"email", "name", "phone", "address", "shipping", "tax", "metadata", "description", "expand"}
ADDRESS_PARAMS = {"line1", "line2", "city", "state", "postal_code", "country"}
# The account's tax registrations in the fake (what Stripe Tax would charge there), deliberately not the
# catalog's table: the order must show Stripe's figure.
STRIPE_TAX_RATES = {"US-NY": Decimal("8.875"), "CA-ON": Decimal("13"), "CA-BC": Decimal("12")}
PRODUCT_DATA_PARAMS = {"name", "description", "images", "metadata", "tax_code"}
PAYMENT_INTENT_UPDATE_PARAMS = {"metadata", "description", "receipt_email", "expand"}
REFUND_PARAMS = {"payment_intent", "charge", "amount", "metadata", "reason", "instructions_email", "expand"}
KEY_PART = re.compile(r"\[([^\]]*)\]")


class StripeApiError(Exception):
    def __init__(self, status: int, type_: str, message: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"error": {"type": type_, "message": message}}
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["error"]["param"] = param
        self.body["error"]["request_log_url"] = "https://dashboard.stripe.com/test/logs/req_fake"


def decode_form(body: str) -> dict:
    """Stripe's form encoding (a[b][0][c]=v) back into nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *KEY_PART.findall(key[len(head) :])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def _check_known(params: dict, allowed: set[str], prefix: str = "") -> None:
    for key in params:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise StripeApiError(400, "invalid_request_error", f"Received unknown parameter: {name}",
                                 "parameter_unknown", name)  # fmt: skip


def _no_tax_behavior(param: str) -> StripeApiError:
    return StripeApiError(400, "invalid_request_error", "Automatic tax requires every price and shipping rate to "
                          "have a tax_behavior of 'exclusive' or 'inclusive'.", "parameter_missing", param)  # fmt: skip


def _locatable(address: dict | None) -> bool:
    """Whether Stripe Tax can place an address: US needs a ZIP that exists (none is below 00501), Canada a
    postal code or a province."""
    address = address or {}
    if address.get("country") == "US":
        return str(address.get("postal_code") or "")[:5] >= "00501"
    if address.get("country") == "CA":
        return bool(address.get("postal_code") or address.get("state"))
    return False


def _shipping_cost(shipping: dict | None, tax: int) -> dict | None:
    if shipping is None:
        return None
    amount, rate = shipping["amount"], shipping["rate"]
    return {"amount_subtotal": amount, "amount_tax": tax, "amount_total": amount + tax, "shipping_rate": rate}


def _missing(name: str) -> StripeApiError:
    return StripeApiError(400, "invalid_request_error", f"Missing required param: {name}.", "parameter_missing", name)


class FakeStripe:
    """In-memory Stripe: sessions, refunds, idempotency keys and a log of every request."""

    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.tax_rates = dict(STRIPE_TAX_RATES)
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.idempotent: dict[str, tuple[dict, tuple[int, dict]]] = {}
        self.lock = threading.Lock()
        self.down = False
        self.hang = False  # accept the connection, then never answer (until stop)
        self.released = threading.Event()
        self.payment_intents: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serve loop's next poll: the default half second would be paid by every test
        self.thread = threading.Thread(target=self.server.serve_forever, args=(SERVER_POLL_SECONDS,), daemon=True)

    # --- what a customer or Stripe would do -----------------------------------------------------------
    def complete(self, session_id: str, amount_total: int | None = None, payment_status: str = "paid") -> dict:
        """The customer pays: the session completes (paid, or unpaid for a delayed method)."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status=payment_status, url=None)
            session["payment_intent"] = session["payment_intent"] or f"pi_{secrets.token_hex(12)}"
            if amount_total is not None:
                session["amount_total"] = amount_total
            return dict(session)

    def expire(self, session_id: str) -> dict:
        with self.lock:
            self.sessions[session_id].update(status="expired", url=None)
            return dict(self.sessions[session_id])

    def only_session(self) -> dict:
        assert len(self.sessions) == 1, list(self.sessions)
        return next(iter(self.sessions.values()))

    def calls(self, method: str, path_start: str) -> list[tuple[str, str, dict, dict]]:
        return [r for r in self.requests if r[0] == method and r[1].startswith(path_start)]

    # --- the API ------------------------------------------------------------------------------------------
    def create_customer(self, params: dict) -> dict:
        _check_known(params, CUSTOMER_PARAMS)
        address = params.get("address") or {}
        _check_known(address, ADDRESS_PARAMS, "address")
        shipping = params.get("shipping") or {}
        _check_known(shipping, {"name", "address", "phone"}, "shipping")
        _check_known(shipping.get("address") or {}, ADDRESS_PARAMS, "shipping[address]")
        _check_known(params.get("tax") or {}, {"validate_location", "ip_address"}, "tax")
        location = shipping.get("address") or address
        if (params.get("tax") or {}).get("validate_location") == "immediately" and not _locatable(location):
            raise StripeApiError(400, "invalid_request_error", "The customer's location isn't recognized.",
                                 "customer_tax_location_invalid", "address")  # fmt: skip
        customer = {
            "id": f"cus_{secrets.token_hex(7)}",
            "object": "customer",
            "address": address or None,
            "created": int(time.time()),
            "email": params.get("email"),
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "name": params.get("name"),
            "shipping": shipping or None,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _line_amounts(self, params: dict, automatic_tax: bool) -> list[int]:
        amounts = []
        for i, item in enumerate(params["line_items"]):
            _check_known(item, LINE_ITEM_PARAMS, f"line_items[{i}]")
            price = item.get("price_data") or {}
            _check_known(price, PRICE_DATA_PARAMS, f"line_items[{i}][price_data]")
            product = price.get("product_data") or {}
            _check_known(product, PRODUCT_DATA_PARAMS, f"line_items[{i}][price_data][product_data]")
            if "unit_amount" not in price or not str(price["unit_amount"]).isdigit():
                raise _missing(f"line_items[{i}][price_data][unit_amount]")
            if automatic_tax and price.get("tax_behavior") not in ("exclusive", "inclusive"):
                raise _no_tax_behavior(f"line_items[{i}][price_data][tax_behavior]")
            amounts.append(int(price["unit_amount"]) * int(item.get("quantity", 1)))
        return amounts

    def _shipping(self, params: dict, automatic_tax: bool) -> dict | None:
        options = params.get("shipping_options") or []
        if not options:
            return None
        for i, option in enumerate(options):
            _check_known(option, SHIPPING_OPTION_PARAMS, f"shipping_options[{i}]")
            data = option.get("shipping_rate_data") or {}
            _check_known(data, SHIPPING_RATE_DATA_PARAMS, f"shipping_options[{i}][shipping_rate_data]")
            for name in ("display_name", "fixed_amount"):
                if name not in data:
                    raise _missing(f"shipping_options[{i}][shipping_rate_data][{name}]")
            if automatic_tax and data.get("tax_behavior") not in ("exclusive", "inclusive"):
                raise _no_tax_behavior(f"shipping_options[{i}][shipping_rate_data][tax_behavior]")
        first = options[0]["shipping_rate_data"]
        return {"rate": f"shr_{secrets.token_hex(12)}", "amount": int(first["fixed_amount"]["amount"])}

    def _customer_location(self, params: dict) -> dict | None:
        if "customer" not in params:
            return None
        if "customer_email" in params:
            raise StripeApiError(400, "invalid_request_error", "You may only specify one of these parameters: "
                                 "customer, customer_email.")  # fmt: skip
        customer = self.customers.get(params["customer"])
        if customer is None:
            raise StripeApiError(400, "invalid_request_error", f"No such customer: '{params['customer']}'",
                                 "resource_missing", "customer")  # fmt: skip
        return (customer["shipping"] or {}).get("address") or customer["address"]

    def _tax(self, location: dict | None, amounts: list[int]) -> tuple[str, list[int]]:
        """Stripe Tax: the status and the tax of each amount (lines, then shipping), rounded half up per line,
        where the account is registered."""
        if not _locatable(location):
            return "requires_location_inputs", [0 for _ in amounts]
        rate = self.tax_rates.get(f"{location['country']}-{location.get('state')}", Decimal(0))
        return "complete", [int((Decimal(a) * rate / 100).quantize(Decimal(1), ROUND_HALF_UP)) for a in amounts]

    def create_session(self, params: dict) -> dict:
        _check_known(params, SESSION_PARAMS)
        for name in ("mode", "success_url"):
            if name not in params:
                raise _missing(name)
        if params["mode"] == "payment" and not params.get("line_items"):
            raise _missing("line_items")
        _check_known(params.get("automatic_tax") or {}, AUTOMATIC_TAX_PARAMS, "automatic_tax")
        automatic_tax = (params.get("automatic_tax") or {}).get("enabled") == "true"
        location = self._customer_location(params)
        amounts = self._line_amounts(params, automatic_tax)
        amount = sum(amounts)
        shipping = self._shipping(params, automatic_tax)
        shipping_cents = shipping["amount"] if shipping else 0
        tax_status, taxes = self._tax(location, [*amounts, shipping_cents]) if automatic_tax else (None, [0])
        tax = sum(taxes)
        currency = params["line_items"][0]["price_data"]["currency"]
        session_id = f"cs_test_{secrets.token_hex(29)}"
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": amount,
            "amount_total": amount + shipping_cents + tax,
            "automatic_tax": {
                "enabled": automatic_tax,
                "liability": {"type": "self"} if automatic_tax else None,
                "status": tax_status,
            },
            "billing_address_collection": None,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": params.get("customer"),
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": int(params.get("expires_at") or now + 86400),
            "livemode": False,
            "locale": None,
            "metadata": params.get("metadata") or {},
            "mode": params["mode"],
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "shipping_cost": _shipping_cost(shipping, taxes[-1]),
            "total_details": {"amount_discount": 0, "amount_shipping": shipping_cents, "amount_tax": tax},
            "ui_mode": "hosted",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return session

    def retrieve_session(self, session_id: str) -> dict:
        if session_id not in self.sessions:
            raise StripeApiError(404, "invalid_request_error", f"No such checkout.session: '{session_id}'",
                                 "resource_missing", "session")  # fmt: skip
        return self.sessions[session_id]

    def create_refund(self, params: dict) -> dict:
        _check_known(params, REFUND_PARAMS)
        intent = params.get("payment_intent")
        session = next((s for s in self.sessions.values() if intent and s["payment_intent"] == intent), None)
        if session is None:
            raise StripeApiError(404, "invalid_request_error", f"No such payment_intent: '{intent}'",
                                 "resource_missing", "payment_intent")  # fmt: skip
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": int(params.get("amount") or session["amount_total"]),
            "balance_transaction": f"txn_{secrets.token_hex(12)}",
            "charge": f"ch_{secrets.token_hex(12)}",
            "created": int(time.time()),
            "currency": session["currency"],
            "destination_details": {"card": {"type": "refund"}, "type": "card"},
            "metadata": params.get("metadata") or {},
            "payment_intent": intent,
            "reason": params.get("reason"),
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
        self.refunds[refund["id"]] = refund
        return refund

    def update_payment_intent(self, intent: str, params: dict) -> dict:
        _check_known(params, PAYMENT_INTENT_UPDATE_PARAMS)
        if not any(s["payment_intent"] == intent for s in self.sessions.values()):
            raise StripeApiError(404, "invalid_request_error", f"No such payment_intent: '{intent}'",
                                 "resource_missing", "intent")  # fmt: skip
        found = self.payment_intents.setdefault(intent, {"id": intent, "object": "payment_intent", "metadata": {}})
        found["metadata"].update(params.get("metadata") or {})
        return found

    def dispatch(self, method: str, path: str, params: dict, headers: dict) -> tuple[int, dict]:
        if not headers.get("authorization", "").startswith("Bearer sk_"):
            raise StripeApiError(401, "invalid_request_error", "You did not provide an API key.")
        key = headers.get("idempotency-key")
        if method == "POST" and key:
            with self.lock:
                if key in self.idempotent:
                    previous_params, response = self.idempotent[key]
                    if previous_params != params:
                        raise StripeApiError(400, "idempotency_error", "Keys for idempotent requests can only be "
                                             "used with the same parameters they were first used with.")  # fmt: skip
                    return response
        with self.lock:
            if method == "POST" and path == "/v1/customers":
                response = (200, self.create_customer(params))
            elif method == "POST" and path == "/v1/checkout/sessions":
                response = (200, self.create_session(params))
            elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
                response = (200, self.retrieve_session(path.rsplit("/", 1)[1]))
            elif method == "POST" and path.startswith("/v1/payment_intents/"):
                response = (200, self.update_payment_intent(path.rsplit("/", 1)[1], params))
            elif method == "POST" and path == "/v1/refunds":
                response = (200, self.create_refund(params))
            else:
                raise StripeApiError(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")
            if method == "POST" and key:
                self.idempotent[key] = (params, response)
        return response

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                url = urlsplit(self.path)
                params = decode_form(body if method == "POST" else url.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append((method, url.path, params, headers))
                if fake.hang:
                    fake.released.wait()
                    return
                try:
                    if fake.down:
                        raise StripeApiError(500, "api_error", "Stripe is down (fake).")
                    status, payload = fake.dispatch(method, url.path, params, headers)
                except StripeApiError as exc:
                    status, payload = exc.status, exc.body
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
                self.send_header("Stripe-Should-Retry", "false")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_stripe(app_ctx):
    """Stripe mode for this test: the shop talks to a fake Stripe on 127.0.0.1 and trusts WEBHOOK_SECRET."""
    fake = FakeStripe().start()
    saved = {k: app_ctx.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")}
    app_ctx.config.update(STRIPE_SECRET_KEY=API_KEY, STRIPE_API_BASE=fake.url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield fake
    app_ctx.config.update(saved)
    fake.stop()


@pytest.fixture
def webhook_secret(app_ctx):
    """Webhooks enabled with WEBHOOK_SECRET (whatever the payment provider)."""
    saved = app_ctx.config.get("STRIPE_WEBHOOK_SECRET")
    app_ctx.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    yield WEBHOOK_SECRET
    app_ctx.config["STRIPE_WEBHOOK_SECRET"] = saved


def stripe_event(event_type: str, session: dict, event_id: str | None = None) -> dict:
    """An event as Stripe delivers it to a webhook endpoint."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": dict(session)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def post_event(client, event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, signature=None):
    """POST the event to the webhook, signed as Stripe signs it (or with `signature` as given)."""
    payload = json.dumps(event)
    if signature is None:
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", data=payload, headers=headers)


# --- the checkout form ---------------------------------------------------------------------------------------

BUILD_QUERY = "frame=step-through&motor=hub-250&battery=b400&color=graphite"
CUSTOMER = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+1 802 555 0100",
    "line1": "12 Spoke Street",
    "line2": "",
    "city": "Burlington",
    "postal_code": "05401",
    "region": "VT",
    "country": "US",
    "terms": "y",
}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, "no CSRF token on " + url
    return match.group(1)


def submit_checkout(client, build_query: str = BUILD_QUERY, **fields):
    """Fill in and POST the checkout form for a build; `fields` override or add form fields."""
    url = f"/checkout?{build_query}"
    data = {**CUSTOMER, **fields, "csrf_token": csrf_token(client, url)}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def checkout_by_session(session_id: str) -> Checkout:
    db.session.expire_all()
    return db.session.scalar(db.select(Checkout).where(Checkout.stripe_session_id == session_id))


def pay_with_test_card(client, payment_url: str, card: str = "4242 4242 4242 4242"):
    path = urlsplit(payment_url).path
    data = {"card_number": card, "expiry": "12/34", "cvc": "123", "csrf_token": csrf_token(client, path)}
    return client.post(path, data=data)


# --- mail ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list = []
        self.reject: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a fixed local port that can be stopped and started again, to simulate an outage."""

    def __init__(self, sink: SmtpSink):
        self.sink, self.port, self.controller = sink, free_port(), None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; yields (server, sink)."""
    sink = SmtpSink()
    server = SmtpServer(sink)
    server.start()
    yield server, sink
    server.stop()
