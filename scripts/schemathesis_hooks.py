"""Schemathesis hooks for scripts/schemathesis.sh: a fresh Idempotency-Key per positive request.

Schemathesis draws header values from the schema, so two writes in one run can carry the same
Idempotency-Key. The contract then replays the first response (REQ-IDEMPOTENCY-004): a create
sent again with a used key answers the resource it created before, which may since have been
deleted, and Schemathesis reports "created resource not found" (ST302). A real client sends one
key per logical write, so positive requests get a new UUID here; negative ones keep the generated
key, which may be the invalid part under test.
"""

import uuid

import schemathesis
from schemathesis.generation.modes import GenerationMode


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    if "Idempotency-Key" not in headers:
        return
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", GenerationMode.POSITIVE)
    if mode == GenerationMode.POSITIVE:
        headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers
