//! The writes: each parses its body and calls the model under the idempotency rules
//! (`Idempotency-Key` required on the API, optional on the sandbox), answering `201` for what it
//! creates and `200` otherwise.

use http::StatusCode;
use ucr_spec::associations::AssociationRequest;
use ucr_spec::platforms::{ConsentRequest, DelegationRequest};
use ucr_spec::sandbox::{
    ClockAdvance, IssuanceRequest, NewAccount, NewAccountHolder, NewPlatform,
    NewPlatformRepresentative, NewRepresentative,
};
use ucr_spec::trading::{EscrowRequest, ReservationRequest, SettleRequest};
use ucr_spec::transactions::{CancellationRequest, RejectRequest, TransferRequest};
use ucr_spec::webhooks::WebhookSubscriptionRequest;

use super::call::{Call, Handler};
use super::exchange::{ApiRequest, ApiResponse, Refusal, json};
use super::extract::{parse_empty, parse_json, parse_optional};
use super::idempotency::Key::{Optional, Required};
use super::idempotency::write;
use crate::registry::Registry;

const CREATED: StatusCode = StatusCode::CREATED;
const OK: StatusCode = StatusCode::OK;

/// `initiate_transfer`.
pub(crate) fn initiate_transfer<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: TransferRequest| r.initiate_transfer(who, body),
        )
    })
}

/// `approve_transfer`.
pub(crate) fn approve_transfer<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.approve_transfer(who, id)
        })
    })
}

/// `reject_transfer`.
pub(crate) fn reject_transfer<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_optional(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, body: RejectRequest| {
            r.reject_transfer(who, id, body)
        })
    })
}

/// `rescind_transfer`.
pub(crate) fn rescind_transfer<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.rescind_transfer(who, id)
        })
    })
}

/// `initiate_cancellation`.
pub(crate) fn initiate_cancellation<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: CancellationRequest| r.initiate_cancellation(who, body),
        )
    })
}

/// `approve_cancellation`.
pub(crate) fn approve_cancellation<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.approve_cancellation(who, id)
        })
    })
}

/// `rescind_cancellation`.
pub(crate) fn rescind_cancellation<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.rescind_cancellation(who, id)
        })
    })
}

/// `reject_cancellation`.
pub(crate) fn reject_cancellation<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_optional(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, body: RejectRequest| {
            r.reject_cancellation(who, id, body)
        })
    })
}

/// `grant_consent`.
pub(crate) fn grant_consent<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        // FAULT(offset-read-as-utc): the offset of `expires_at` is dropped, its wall time taken
        // as UTC.
        let naive = c
            .faults
            .has(crate::faults::Fault::OffsetReadAsUtc)
            .then(|| offset_dropped(c.request.body))
            .flatten();
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, mut body: ConsentRequest| {
                if let Some(at) = naive {
                    body.expires_at = at;
                }
                r.grant_consent(who, id, body)
            },
        )
    })
}

/// The body's `expires_at` read without its offset, when it has one other than `Z`.
fn offset_dropped(body: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = value.get("expires_at")?.as_str()?;
    if text.ends_with('Z') || text.ends_with('z') {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(text.get(..19)?, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|naive| naive.and_utc())
}

/// `revoke_consent`.
pub(crate) fn revoke_consent<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.revoke_consent(who, id)
        })
    })
}

/// `appoint_delegate`.
pub(crate) fn appoint_delegate<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: DelegationRequest| r.appoint_delegate(who, id, body),
        )
    })
}

/// `revoke_delegation`.
pub(crate) fn revoke_delegation<'h>(
    request: &ApiRequest<'_>,
    id: &'h str,
    delegation: &'h str,
) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.revoke_delegation(who, id, delegation)
        })
    })
}

/// `create_reservation`.
pub(crate) fn create_reservation<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: ReservationRequest| r.create_reservation(who, body),
        )
    })
}

/// `release_reservation`.
pub(crate) fn release_reservation<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.release_reservation(who, id)
        })
    })
}

/// `create_escrow`.
pub(crate) fn create_escrow<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Required, CREATED, body, |r, who, body: EscrowRequest| {
            r.create_escrow(who, body)
        })
    })
}

/// `settle_escrow`.
pub(crate) fn settle_escrow<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, body: SettleRequest| {
            r.settle_escrow(who, id, body)
        })
    })
}

/// `release_escrow`.
pub(crate) fn release_escrow<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.release_escrow(who, id)
        })
    })
}

/// `approve_escrow`.
pub(crate) fn approve_escrow<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.approve_escrow(who, id)
        })
    })
}

/// `reject_escrow`.
pub(crate) fn reject_escrow<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_optional(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, body: RejectRequest| {
            r.reject_escrow(who, id, body)
        })
    })
}

/// `create_association`.
pub(crate) fn create_association<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: AssociationRequest| r.create_association(who, body),
        )
    })
}

/// `dissolve_association`.
pub(crate) fn dissolve_association<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_empty(request);
    Box::new(move |c| {
        write(c, Required, OK, body, |r, who, ()| {
            r.dissolve_association(who, id)
        })
    })
}

/// `create_webhook_subscription`.
pub(crate) fn create_webhook_subscription<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Required,
            CREATED,
            body,
            |r, who, body: WebhookSubscriptionRequest| r.create_webhook_subscription(who, body),
        )
    })
}

/// `create_account_holder`.
pub(crate) fn create_account_holder<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Optional,
            CREATED,
            body,
            |r, _, body: NewAccountHolder| r.create_account_holder(body),
        )
    })
}

/// `create_account`.
pub(crate) fn create_account<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Optional, CREATED, body, |r, _, body: NewAccount| {
            r.create_account(body)
        })
    })
}

/// `appoint_representative`.
pub(crate) fn appoint_representative<'h>(request: &ApiRequest<'_>, id: &'h str) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Optional,
            CREATED,
            body,
            |r, _, body: NewRepresentative| r.appoint_representative(id, body),
        )
    })
}

/// `issue_units`.
pub(crate) fn issue_units<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Optional, CREATED, body, |r, _, body: IssuanceRequest| {
            r.issue_units(body)
        })
    })
}

/// `create_platform`.
pub(crate) fn create_platform<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Optional, CREATED, body, |r, _, body: NewPlatform| {
            r.create_platform(body)
        })
    })
}

/// `create_oauth_client`.
pub(crate) fn create_oauth_client<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Optional,
            CREATED,
            body,
            |r, _, body: ucr_spec::oauth::NewOAuthClient| r.create_oauth_client(body),
        )
    })
}

/// `create_platform_representative`.
pub(crate) fn create_platform_representative<'h>(
    request: &ApiRequest<'_>,
    id: &'h str,
) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(
            c,
            Optional,
            CREATED,
            body,
            |r, _, body: NewPlatformRepresentative| r.create_platform_representative(id, body),
        )
    })
}

/// `advance_clock`.
pub(crate) fn advance_clock<'h>(request: &ApiRequest<'_>) -> Handler<'h> {
    let body = parse_json(request);
    Box::new(move |c| {
        write(c, Optional, OK, body, |r, _, body: ClockAdvance| {
            r.advance_sandbox_clock(body)
        })
    })
}

/// `create_operator_session` (sandbox, no authentication): a new operator token.
pub(crate) fn create_operator_session(registry: &mut Registry) -> ApiResponse {
    json(CREATED, &registry.create_operator_session())
}

/// `reset_sandbox`: it ignores any body and stores no idempotency record (it removes them all).
pub(crate) fn reset_sandbox(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    Ok(json(OK, &c.registry.reset()))
}

/// `delete_webhook_subscription`. The operation declares no 400: a DELETE body has no meaning and
/// is ignored.
pub(crate) fn delete_webhook_subscription(
    c: &mut Call<'_>,
    id: &str,
) -> Result<ApiResponse, Refusal> {
    Ok(json(
        OK,
        &c.registry.delete_webhook_subscription(c.who, id)?,
    ))
}
