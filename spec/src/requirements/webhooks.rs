//! Requirements on webhook subscriptions and delivery: signing, the retry schedule, timeouts and
//! the delivery log (Standard Webhooks).

use super::events::ALL_EVENTS;
use super::{Requirement, Verification::Api, Verification::Untestable};

/// The operations managing subscriptions and reading the delivery log.
const SUBSCRIPTIONS: &[&str] = &[
    "create_webhook_subscription",
    "list_webhook_subscriptions",
    "delete_webhook_subscription",
    "list_webhook_deliveries",
];

/// The webhook requirements (`REQ-WEBHOOK-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-WEBHOOK-001",
        text: "`create_webhook_subscription` MUST refuse with `422 validation-failed` a `url` that is not an absolute `http` or `https` URL with a host, an empty `event_types`, and a supplied `secret` that is not `whsec_` followed by the standard base64 (padding optional) of 24 to 64 bytes.",
        operations: &["create_webhook_subscription"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-002",
        text: "When no `secret` is supplied, `create_webhook_subscription` MUST generate one of the same form from at least 24 random bytes, and the response creating a subscription MUST be the only one that shows its secret, every other response leaving `secret` absent or `null` (clients MUST accept either).",
        operations: &["create_webhook_subscription", "list_webhook_subscriptions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-003",
        text: "Every delivery attempt MUST be a `POST` of the `WebhookEvent` as `application/json` to the subscription's `url`, with `webhook-id` set to the event's `event_id`, `webhook-timestamp` set to the attempt's signing time in Unix seconds of the wall clock (never the sandbox-shifted registry clock), and `webhook-signature` containing `v1,` followed by the standard base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64-decoded bytes of the secret after `whsec_`.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-004",
        text: "Receivers MUST accept a `webhook-signature` that lists several space-separated signatures when any one of them verifies, so implementations MAY sign with more than one key while a secret is rotated.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-005",
        text: "An attempt MUST count as acknowledged only when the receiver answers 2xx, and as failed on any other status (redirects MUST NOT be followed), a connection error, or no answer within the attempt timeout, which MUST be at least 5 seconds and at most 30 seconds.",
        operations: &["create_webhook_subscription", "list_webhook_deliveries"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-006",
        text: "Each implementation MUST use one retry base `b` from 0.05 s to 60 s for all its deliveries and MUST declare it in its documentation.",
        operations: &["create_webhook_subscription"],
        verification: Untestable(
            "the base is declared in the implementation's documentation, outside the API, and given to the suite as an option",
        ),
    },
    Requirement {
        id: "REQ-WEBHOOK-007",
        text: "A delivery MUST be attempted at once and, while attempts fail, retried exactly five more times, the retry after the n-th failed attempt (n = 1 to 5) being sent no sooner than `b × 2^(n−1)` and no later than twice that after the failed attempt ended, so a receiver that always fails gets exactly six attempts (at `b` = 0.5 s waits of 0.5, 1, 2, 4 and 8 s).",
        operations: &["create_webhook_subscription", "list_webhook_deliveries"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-008",
        text: "Every attempt of one delivery MUST carry the same `webhook-id` and the same body, re-signed with a current `webhook-timestamp`.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-009",
        text: "The delivery log MUST show each delivery as `pending` while attempts remain, `delivered` once one is acknowledged and `failed` after the sixth failed attempt, with `attempts` counting the attempts made and `last_status` the last HTTP status received (`null` when the last attempt got no HTTP answer).",
        operations: &["list_webhook_deliveries"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-010",
        text: "Implementations MAY send deliveries concurrently and in any order, and receivers MUST NOT rely on the order of events, deduplicating by `webhook-id` and ordering by the body's `timestamp` when they need to.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-011",
        text: "Deleting a subscription MUST mark its pending deliveries `failed` and stop their attempts, after which the subscription and its delivery log MUST answer `404 not-found`.",
        operations: &["delete_webhook_subscription", "list_webhook_deliveries"],
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-012",
        text: "Subscriptions and their delivery logs MUST be visible only to the platform, registry or representative that created them, and another principal naming one MUST get `404 not-found`.",
        operations: SUBSCRIPTIONS,
        verification: Api,
    },
    Requirement {
        id: "REQ-WEBHOOK-013",
        text: "Within `/v1` new event types MAY be added, each with a payload schema of its own in `WebhookPayload` (told apart by `type`), so receivers MUST accept a webhook request whose `type` they do not know (verifying its signature as for any other and answering 2xx, e.g. after ignoring it) and MUST NOT treat it as an error.",
        operations: &[],
        verification: Untestable(
            "a rule for receivers, which the suite cannot observe; the SDK's `Event::Other` is how its users meet it",
        ),
    },
];
