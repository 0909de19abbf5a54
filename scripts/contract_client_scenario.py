#!/usr/bin/env python3
"""One scenario through the Python client openapi-python-client generated from spec/openapi.json,
against a ucr-mock started with scripts/contract-clients-fixture.json (scripts/contract-clients.sh
does both): read both accounts' holdings, initiate a transfer of 250 ACCUs from AU-1000001 to
AU-1000002 as its initiator, approve it as the account's other representative, and check that
the holdings moved by exactly that much on both sides.

Usage: contract_client_scenario.py BASE_URL   (the generated package `ucr_client` on PYTHONPATH)
Exits 1, saying which step, when the client or the registry does anything else.
"""

import sys
import uuid

from ucr_client import AuthenticatedClient
from ucr_client.api.accounts import list_holdings
from ucr_client.api.transfers import approve_transfer, initiate_transfer
from ucr_client.models import (
    BlockStatus,
    Problem,
    TransactionStatus,
    Transfer,
    TransferRequest,
    UnitBlockPage,
)
from ucr_client.types import UNSET

BASE = sys.argv[1].rstrip("/")
SOURCE, DESTINATION = "AU-1000001", "AU-1000002"
QUANTITY = 250


def client(token):
    return AuthenticatedClient(base_url=BASE, token=token, raise_on_unexpected_status=True)


INITIATOR = client("python-client-initiator")
APPROVER = client("python-client-approver")
RECEIVER = client("python-client-receiver")


def fail(step, response):
    body = response.parsed
    detail = f"{body.title}: {body.detail}" if isinstance(body, Problem) else response.content
    sys.exit(f"client scenario: {step} answered {response.status_code.value}: {detail}")


def available_accus(who, account_id):
    """Sum of the account's available ACCU blocks, following every page."""
    total, page_token = 0, UNSET
    while True:
        response = list_holdings.sync_detailed(
            account_id, client=who, unit_type="ACCU", limit=100, page_token=page_token
        )
        if response.status_code != 200 or not isinstance(response.parsed, UnitBlockPage):
            fail(f"list_holdings({account_id})", response)
        page = response.parsed
        total += sum(b.quantity for b in page.items if b.status == BlockStatus.AVAILABLE)
        if not page.next_page:
            return total
        page_token = page.next_page


before = available_accus(INITIATOR, SOURCE), available_accus(RECEIVER, DESTINATION)
print(f"before: {SOURCE} {before[0]} ACCU available, {DESTINATION} {before[1]}")
if before[0] < QUANTITY:
    sys.exit(f"client scenario: the fixture gave {SOURCE} only {before[0]} ACCUs")

initiated = initiate_transfer.sync_detailed(
    client=INITIATOR,
    idempotency_key=str(uuid.uuid4()),
    body=TransferRequest(
        from_account_id=SOURCE,
        to_account_id=DESTINATION,
        unit_type="ACCU",
        quantity=QUANTITY,
        reference="openapi-python-client scenario",
    ),
)
if initiated.status_code != 201 or not isinstance(initiated.parsed, Transfer):
    fail("initiate_transfer", initiated)
transfer = initiated.parsed
if transfer.status != TransactionStatus.PENDING_APPROVAL:
    sys.exit(f"client scenario: a new transfer is {transfer.status}, not pending_approval")
print(f"initiated {transfer.transfer_id}: {transfer.status}")

approved = approve_transfer.sync_detailed(
    transfer.transfer_id, client=APPROVER, idempotency_key=str(uuid.uuid4())
)
if approved.status_code != 200 or not isinstance(approved.parsed, Transfer):
    fail("approve_transfer", approved)
if approved.parsed.status != TransactionStatus.COMPLETED:
    sys.exit(f"client scenario: an approved transfer is {approved.parsed.status}, not completed")
print(f"approved {transfer.transfer_id}: {approved.parsed.status}")

after = available_accus(INITIATOR, SOURCE), available_accus(RECEIVER, DESTINATION)
print(f"after: {SOURCE} {after[0]} ACCU available, {DESTINATION} {after[1]}")
expected = before[0] - QUANTITY, before[1] + QUANTITY
if after != expected:
    sys.exit(f"client scenario: holdings are {after}, expected {expected}")
print("client scenario: holdings moved as expected")
