#!/usr/bin/env python3
"""Seeds a fresh ucr-mock (started with scripts/schemathesis-fixture.json) with one of everything
the representative AR-000001 can see, so that Schemathesis' stateful phase finds real IDs behind
the spec's links: a trading platform with a custodial account, a third-party registry, consents,
a reservation, an escrow, an association, a pending transfer and a pending cancellation.

Usage: schemathesis_seed.py BASE_URL   (standard library only; the fixture's tokens are fixed)
"""

import json
import sys
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

BASE = sys.argv[1].rstrip("/")
OPERATOR = "schemathesis-operator"
REPRESENTATIVE = "schemathesis-representative"


def call(method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("content-type", "application/json")
    if method != "GET" and not path.startswith("/v1/sandbox"):
        request.add_header("idempotency-key", str(uuid.uuid4()))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"seed: {method} {path} answered {error.code}: {error.read().decode()}")


def later(days):
    at = datetime.now(timezone.utc) + timedelta(days=days)
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


exchange = call("POST", "/v1/sandbox/platforms", OPERATOR,
                {"name": "Southern Cross Carbon Exchange", "kind": "trading_platform"})
registry = call("POST", "/v1/sandbox/platforms", OPERATOR,
                {"name": "Green Certificate Registry", "kind": "third_party_registry"})
tp = exchange["platform"]["platform_id"]
tr = registry["platform"]["platform_id"]
custody = call("POST", "/v1/sandbox/accounts", OPERATOR,
               {"holder_id": exchange["platform"]["holder_id"], "kind": "custodial",
                "name": "Exchange custody"})["account_id"]

for grantee, scopes in [(tp, ["holdings_read", "transactions_read", "reserved_units_read"]),
                        (tr, ["association"])]:
    call("POST", "/v1/accounts/AU-1000001/consents", REPRESENTATIVE,
         {"grantee_id": grantee, "scopes": scopes, "expires_at": later(365)})

call("POST", "/v1/reservations", REPRESENTATIVE,
     {"account_id": "AU-1000001", "platform_id": tp, "custodial_account_id": custody,
      "unit_type": "ACCU", "quantity": 100, "expires_at": later(30)})
call("POST", "/v1/escrows", REPRESENTATIVE,
     {"account_id": "AU-1000001", "controller_id": tp, "unit_type": "ACCU", "quantity": 100,
      "expires_at": later(30)})
call("POST", "/v1/transfers", REPRESENTATIVE,
     {"from_account_id": "AU-1000001", "to_account_id": "AU-1000003", "unit_type": "ACCU",
      "quantity": 10})
call("POST", "/v1/cancellations", REPRESENTATIVE,
     {"account_id": "AU-1000002", "unit_type": "ACCU", "quantity": 10})
block = call("GET", "/v1/accounts/AU-1000001/holdings?status=available&unit_type=ACCU&limit=1",
             REPRESENTATIVE)["items"][0]
call("POST", "/v1/associations", registry["token"],
     {"account_id": "AU-1000001", "unit_type": "ACCU", "serial": block["serial_end"],
      "certificate_id": "GREENCERT-2026-000123"})
print(f"seeded {tp}, {tr}, custodial {custody}: consents, a reservation, an escrow, an "
      "association, a pending transfer and cancellation")
