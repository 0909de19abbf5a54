//! The access matrix's fixture ([`World`]: an owner's account and every actor of the table) and
//! the valid request for each operation on a fresh object ([`target`]); also used by the input,
//! idempotency and robustness checks.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::types::{
    AccountKind, AssociationRequest, ConsentScope, DelegationRequest, EventType, Role, UnitBlock,
    WebhookSubscriptionRequest,
};

use super::super::support::spec;
use super::super::support::{escrow, escrow_request, initiate, reservation_request, reserve};
use super::table::Actor;
use crate::assert::SdkResultExt;
use crate::ctx::{
    Attrs, Ctx, FourEyes, Party, Platform, RawResponse, Rep, by_quantity, cancel_quantity,
    certificate,
};
use crate::outcome::Failure;
/// A fresh fixture with every actor of the table.
pub(in crate::checks) struct World {
    /// The owner's account (`initiator` and `approver`), holding [`World::block`].
    pub(in crate::checks) owner: FourEyes,
    /// A destination account of a third holder (not an actor).
    pub(in crate::checks) dest: Party,
    /// Another holder's account and representative.
    pub(in crate::checks) other: Party,
    /// 1000 ACCUs issued into the owner's account.
    pub(in crate::checks) block: UnitBlock,
    pub(in crate::checks) holdings: Platform,
    pub(in crate::checks) transactions: Platform,
    pub(in crate::checks) reserved: Platform,
    pub(in crate::checks) association: Platform,
    pub(in crate::checks) revoked: Platform,
    pub(in crate::checks) unconsented: Platform,
    pub(in crate::checks) registry: Platform,
    pub(in crate::checks) controller: Platform,
    /// A custodial account of the `reserved_units_read` platform (reservations go there).
    pub(in crate::checks) custodial: String,
    /// The delegate (a representative of the `holdings_read` platform).
    pub(in crate::checks) delegate: Rep,
    /// The `holdings_read` platform's consent.
    pub(in crate::checks) consent_id: String,
    /// A sandbox operator session's token.
    operator_token: String,
    /// The registry's clock when the world was built; expiries are set from it.
    pub(in crate::checks) now: DateTime<Utc>,
    /// Serials handed out for associations, counting down from the block's end.
    serials_used: AtomicU64,
}

impl World {
    /// Provisions a world through the sandbox API.
    pub(in crate::checks) async fn build(ctx: &Ctx) -> Result<World, Failure> {
        let owner = ctx.holder_with_two_reps().await?;
        let dest = ctx.holder_with_one_rep().await?;
        let other = ctx.holder_with_one_rep().await?;
        let block = ctx.issue(&owner.account_id, 1000, &Attrs::accu()).await?;
        let now = ctx.registry_now().await?;
        let holdings = ctx.trading_platform().await?;
        let transactions = ctx.trading_platform().await?;
        let reserved = ctx.trading_platform().await?;
        let association = ctx.third_party_registry().await?;
        let revoked = ctx.trading_platform().await?;
        let unconsented = ctx.trading_platform().await?;
        let registry = ctx.third_party_registry().await?;
        let controller = ctx.trading_platform().await?;
        let until = now + Duration::days(30);
        let account = owner.account_id.as_str();
        let mut consents = Vec::new();
        for (grantee, scope) in [
            (&holdings, ConsentScope::HoldingsRead),
            (&transactions, ConsentScope::TransactionsRead),
            (&reserved, ConsentScope::ReservedUnitsRead),
            (&association, ConsentScope::Association),
            (&revoked, ConsentScope::HoldingsRead),
        ] {
            consents.push(
                ctx.grant_until(&owner.initiator, account, grantee, &[scope], until)
                    .await?,
            );
        }
        let (consent, lapsed) = (&consents[0], &consents[4]);
        owner
            .approver
            .client
            .revoke_consent()
            .consent_id(&lapsed.consent_id)
            .send()
            .await
            .expect_ok("world: revoke_consent of the revoked platform's consent")?;
        let custodial = ctx
            .open_account(&reserved.holder_id, AccountKind::Custodial)
            .await?;
        let delegate = delegate(ctx, &owner, &holdings, &[Role::Initiator, Role::Approver]).await?;
        let operator_token = ctx
            .raw(
                "create_operator_session",
                Method::POST,
                "/v1/sandbox/operator-sessions",
            )
            .no_idempotency_key()
            .send()
            .await?
            .expect_status("world: create_operator_session", 201)?["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::new("world: create_operator_session answered no token"))?;
        Ok(World {
            owner,
            dest,
            other,
            block,
            holdings,
            transactions,
            reserved,
            association,
            revoked,
            unconsented,
            registry,
            controller,
            custodial,
            delegate,
            consent_id: consent.consent_id.clone(),
            operator_token,
            now,
            serials_used: AtomicU64::new(0),
        })
    }

    /// The owner's account.
    pub(in crate::checks) fn account(&self) -> &str {
        &self.owner.account_id
    }

    /// The ID of the platform or registry an actor authenticates as, if it is one.
    pub(super) fn platform_id(&self, actor: Actor) -> Option<&str> {
        self.platform(actor).map(|p| p.platform_id.as_str())
    }

    /// The platform an actor authenticates as, if it is one.
    fn platform(&self, actor: Actor) -> Option<&Platform> {
        Some(match actor {
            Actor::HoldingsRead => &self.holdings,
            Actor::TransactionsRead => &self.transactions,
            Actor::ReservedUnitsRead => &self.reserved,
            Actor::Association => &self.association,
            Actor::Revoked => &self.revoked,
            Actor::Unconsented => &self.unconsented,
            Actor::Registry => &self.registry,
            Actor::Controller => &self.controller,
            _ => return None,
        })
    }

    /// The bearer token an actor sends, if any.
    pub(in crate::checks) fn token(&self, actor: Actor) -> Option<&str> {
        if let Some(platform) = self.platform(actor) {
            return Some(platform.token());
        }
        Some(match actor {
            Actor::Initiator => self.owner.initiator.token(),
            Actor::Approver => self.owner.approver.token(),
            Actor::OtherHolder => self.other.rep.token(),
            Actor::Delegate => self.delegate.token(),
            Actor::Operator => &self.operator_token,
            _ => return None,
        })
    }

    /// A serial of the owner's block that no other request of this world has used.
    fn fresh_serial(&self) -> u64 {
        self.block.serial_end - self.serials_used.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends `request` as `actor` (a fresh `Idempotency-Key` on writes, or `key`).
    pub(in crate::checks) async fn send(
        &self,
        ctx: &Ctx,
        actor: Actor,
        request: &Request,
        key: Option<&str>,
    ) -> Result<RawResponse, Failure> {
        let mut raw = ctx.raw(request.operation, request.method.clone(), &request.path);
        if let Some(key) = key {
            raw = raw.idempotency_key(key);
        }
        match &request.body {
            Body::Form(pairs) => {
                let mut pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                match self.platform(actor) {
                    Some(platform) => {
                        pairs.push(("client_id", &platform.client_id));
                        pairs.push(("client_secret", platform.client_secret()));
                    }
                    None => {
                        if let Some(token) = self.token(actor) {
                            raw = raw.bearer(token);
                        }
                    }
                }
                return raw.form(&pairs).send().await;
            }
            Body::PlainForm(pairs) => {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                raw = raw.form(&pairs);
            }
            Body::Json(value) => raw = raw.json(value),
            Body::Text(text) => raw = raw.body_text(text),
            Body::None => {}
        }
        if let Some(token) = self.token(actor) {
            raw = raw.bearer(token);
        }
        raw.send().await
    }
}

/// The redirect URI of the matrix's OAuth clients: never followed (the suite reads `Location`).
const MATRIX_REDIRECT_URI: &str = "http://127.0.0.1:9/ucr-matrix-callback";

/// The path and query of a valid authorization request (S256, `accounts:read`) of a fresh
/// public client registered through the sandbox: `authorize` answers it with the consent page.
async fn authorization_request(ctx: &Ctx, world: &World) -> Result<String, Failure> {
    let client = ctx
        .raw(
            "create_oauth_client",
            Method::POST,
            "/v1/sandbox/oauth-clients",
        )
        .no_idempotency_key()
        .bearer(&world.operator_token)
        .json(
            &json!({"name": ctx.unique("Matrix app"), "client_type": "public",
                      "redirect_uris": [MATRIX_REDIRECT_URI]}),
        )
        .send()
        .await?
        .expect_status("fixture: create_oauth_client", 201)?;
    let client_id = client["client_id"]
        .as_str()
        .ok_or_else(|| Failure::new("fixture: create_oauth_client answered no client_id"))?;
    // RFC 7636 appendix B's challenge: any well-formed S256 challenge does for the page.
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", MATRIX_REDIRECT_URI),
        ("scope", "accounts:read"),
        ("state", "ucr-matrix"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ])
    .map_err(|e| Failure::new(format!("suite bug: {e}")))?;
    Ok(format!("/v1/oauth/authorize?{query}"))
}

/// A platform representative of `platform`, appointed to the owner's account by delegation.
async fn delegate(
    ctx: &Ctx,
    owner: &FourEyes,
    platform: &Platform,
    roles: &[Role],
) -> Result<Rep, Failure> {
    let mut rep = ctx.platform_rep(platform).await?;
    owner
        .approver
        .client
        .appoint_delegate()
        .account_id(&owner.account_id)
        .body(DelegationRequest {
            representative_id: rep.id.clone(),
            roles: roles.to_vec(),
        })
        .send()
        .await
        .expect_ok("world: appoint_delegate")?;
    rep.roles = roles.to_vec();
    Ok(rep)
}

/// A request's body.
#[derive(Debug, Clone)]
pub(in crate::checks) enum Body {
    None,
    Json(Value),
    /// Verbatim text sent as `application/json`.
    Text(String),
    /// Form fields (the token and revocation endpoints); platforms add their client credentials.
    Form(Vec<(String, String)>),
    /// Form fields sent as they are, with the actor's bearer token if it has one (the consent
    /// page's form).
    PlainForm(Vec<(String, String)>),
}

/// A valid request for one operation on an object of a [`World`].
#[derive(Debug, Clone)]
pub(in crate::checks) struct Request {
    pub(in crate::checks) operation: &'static str,
    pub(in crate::checks) method: Method,
    pub(in crate::checks) path: String,
    pub(in crate::checks) body: Body,
}

/// The ID of the first row of a public register (the list operation `list`, field `id`).
async fn first_register_id(ctx: &Ctx, list: &'static str, id: &str) -> Result<String, Failure> {
    let path = spec::operation(list)
        .map(|o| o.path.clone())
        .ok_or_else(|| {
            Failure::new(format!("suite bug: {list} is not an operation of the spec"))
        })?;
    let page = ctx
        .raw(list, reqwest::Method::GET, &path)
        .query("limit", "1")
        .send()
        .await?
        .expect_status(&format!("fixture: {list} limit=1"), 200)?;
    page["items"][0][id]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Failure::skipped(format!("fixture: {list} has no rows")))
}

/// Builds a valid request for `operation_id` on a fresh object of `world` (a new pending
/// transfer, consent, delegation, reservation, escrow, association or subscription where the
/// operation acts on one), so that the table's allowed actor succeeds with it.
pub(in crate::checks) async fn target(
    ctx: &Ctx,
    world: &World,
    operation_id: &str,
) -> Result<Request, Failure> {
    let op = spec::operation(operation_id).ok_or_else(|| {
        Failure::new(format!(
            "suite bug: {operation_id} is not an operation of the spec"
        ))
    })?;
    let operation: &'static str = op.id.as_str();
    let account = world.account();
    let initiator = &world.owner.initiator;
    let day = world.now + Duration::days(1);
    let month = world.now + Duration::days(30);
    let json = |path: String, body: Value| Request {
        operation,
        method: op.method.clone(),
        path,
        body: Body::Json(body),
    };
    let bare = |path: String| Request {
        operation,
        method: op.method.clone(),
        path,
        body: Body::None,
    };
    let transfer = || async {
        initiate(
            &initiator.client,
            by_quantity(account, &world.dest.account_id, "ACCU", 1),
            "fixture: initiate_transfer",
        )
        .await
        .map(|t| t.transfer_id)
    };
    let cancellation = || async {
        super::super::support::initiate_cancellation(
            &initiator.client,
            cancel_quantity(account, "ACCU", 1),
            "fixture: initiate_cancellation",
        )
        .await
        .map(|c| c.cancellation_id)
    };
    let consent = || async {
        ctx.grant_until(
            initiator,
            account,
            &world.holdings,
            &[ConsentScope::HoldingsRead],
            month,
        )
        .await
        .map(|c| c.consent_id)
    };
    let reservation = || async {
        reserve(
            &initiator.client,
            reservation_request(account, &world.reserved, &world.custodial, 1, day),
            "fixture: create_reservation",
        )
        .await
        .map(|r| r.reservation_id)
    };
    let escrowed = || async {
        escrow(
            &initiator.client,
            &world.owner.approver.client,
            escrow_request(account, &world.controller, 1, day),
            "fixture: create_escrow and approve_escrow",
        )
        .await
        .map(|e| e.escrow_id)
    };
    let pending_escrow = || async {
        initiator
            .client
            .create_escrow()
            .body(escrow_request(account, &world.controller, 1, day))
            .send()
            .await
            .expect_ok("fixture: create_escrow")
            .map(|e| e.escrow_id)
    };
    let association = || async {
        let serial = world.fresh_serial();
        world
            .association
            .client
            .create_association()
            .body(AssociationRequest {
                account_id: account.to_owned(),
                unit_type: "ACCU".into(),
                serial,
                certificate_id: certificate(&format!("MX-{}-{serial}", ctx.check_id()))?,
            })
            .send()
            .await
            .expect_ok("fixture: create_association")
            .map(|a| a.association_id)
    };
    let subscription = || async {
        let (url, _) = ctx.webhook_url();
        world
            .holdings
            .client
            .create_webhook_subscription()
            .body(WebhookSubscriptionRequest {
                url,
                event_types: vec![EventType::ConsentExpired],
                secret: None,
            })
            .send()
            .await
            .expect_ok("fixture: create_webhook_subscription")
            .map(|s| s.subscription_id)
    };
    let unique = |what: &str| ctx.unique(what);
    Ok(match operation {
        // The world holds one row of each of these lists, so that an allowed caller's answer
        // shows whose rows it lists (see `lists`).
        "list_reservations" => {
            reservation().await?;
            bare(op.path.clone())
        }
        "list_holdings" => {
            reservation().await?;
            bare(op.path.replace("{account_id}", account))
        }
        "list_escrows" => {
            escrowed().await?;
            bare(op.path.clone())
        }
        "list_associations" => {
            association().await?;
            bare(op.path.clone())
        }
        "list_webhook_subscriptions" => {
            subscription().await?;
            bare(op.path.clone())
        }
        "list_accounts"
        | "list_consents"
        | "list_accu_projects"
        | "list_carbon_abatement_contracts"
        | "list_guarantee_of_origin_projects"
        | "get_clock"
        | "reset_sandbox" => bare(op.path.clone()),
        "create_operator_session" => bare(op.path.clone()),
        "get_accu_project" => bare(op.path.replace(
            "{project_id}",
            &first_register_id(ctx, "list_accu_projects", "project_id").await?,
        )),
        "get_carbon_abatement_contract" => bare(op.path.replace(
            "{contract_id}",
            &first_register_id(ctx, "list_carbon_abatement_contracts", "contract_id").await?,
        )),
        "get_guarantee_of_origin_project" => bare(op.path.replace(
            "{profile_id}",
            &first_register_id(ctx, "list_guarantee_of_origin_projects", "profile_id").await?,
        )),
        "get_account" | "list_transactions" | "list_account_consents" | "list_delegations" => {
            bare(op.path.replace("{account_id}", account))
        }
        "initiate_transfer" => json(
            op.path.clone(),
            json!({"from_account_id": account, "to_account_id": world.dest.account_id,
                   "unit_type": "ACCU", "quantity": 1}),
        ),
        "get_transfer" | "approve_transfer" | "rescind_transfer" => {
            bare(op.path.replace("{transfer_id}", &transfer().await?))
        }
        "reject_transfer" => json(
            op.path.replace("{transfer_id}", &transfer().await?),
            json!({"reason": "access matrix"}),
        ),
        "initiate_cancellation" => json(
            op.path.clone(),
            json!({"account_id": account, "unit_type": "ACCU", "quantity": 1}),
        ),
        "get_cancellation" | "approve_cancellation" | "rescind_cancellation" => {
            bare(op.path.replace("{cancellation_id}", &cancellation().await?))
        }
        "reject_cancellation" => json(
            op.path.replace("{cancellation_id}", &cancellation().await?),
            json!({"reason": "access matrix"}),
        ),
        "create_account_holder" => json(op.path.clone(), json!({"name": unique("Matrix holder")})),
        "create_account" => json(
            op.path.clone(),
            json!({"holder_id": world.owner.holder.holder_id, "kind": "holding",
                   "name": unique("Matrix account")}),
        ),
        "appoint_representative" => json(
            op.path.replace("{account_id}", account),
            json!({"name": unique("Matrix AR"), "roles": ["approver"]}),
        ),
        "issue_units" => {
            let attrs = Attrs::accu();
            json(
                op.path.clone(),
                json!({"account_id": account, "unit_type": attrs.unit_type, "quantity": 1,
                       "project_id": attrs.project_id, "vintage": attrs.vintage,
                       "method": attrs.method, "kyoto_status": attrs.kyoto_status,
                       "state": attrs.state}),
            )
        }
        "create_platform" => json(
            op.path.clone(),
            json!({"kind": "trading_platform", "name": unique("Matrix platform")}),
        ),
        "create_platform_representative" => json(
            op.path
                .replace("{platform_id}", &world.holdings.platform_id),
            json!({"name": unique("Matrix platform AR")}),
        ),
        "advance_clock" => json(op.path.clone(), json!({"seconds": 1})),
        "issue_token" => Request {
            operation,
            method: op.method.clone(),
            path: op.path.clone(),
            body: Body::Form(vec![("grant_type".into(), "client_credentials".into())]),
        },
        // A token nobody holds: revoking it answers 200 and changes nothing (RFC 7009).
        "revoke_token" => Request {
            operation,
            method: op.method.clone(),
            path: op.path.clone(),
            body: Body::Form(vec![("token".into(), unique("ucr-matrix-unknown-token"))]),
        },
        "get_authorization_server_metadata" => bare(op.path.clone()),
        "authorize" => bare(authorization_request(ctx, world).await?),
        "decide_authorization" => {
            let page = ctx
                .raw(
                    "authorize",
                    Method::GET,
                    &authorization_request(ctx, world).await?,
                )
                .send()
                .await?;
            if page.status != 200 {
                return Err(Failure::new(format!(
                    "fixture: authorize answered {}, not the consent page",
                    page.status
                )));
            }
            let html = String::from_utf8_lossy(&page.body);
            let request_id = html
                .split("name=\"request_id\" value=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .ok_or_else(|| Failure::new("fixture: the consent page has no request_id field"))?
                .to_owned();
            Request {
                operation,
                method: op.method.clone(),
                path: op.path.clone(),
                body: Body::PlainForm(vec![
                    ("request_id".into(), request_id),
                    ("representative_id".into(), initiator.id.clone()),
                    ("decision".into(), "decline".into()),
                ]),
            }
        }
        "create_oauth_client" => json(
            op.path.clone(),
            json!({"name": unique("Matrix app"), "client_type": "public",
                   "redirect_uris": [MATRIX_REDIRECT_URI]}),
        ),
        "get_platform" => bare(
            op.path
                .replace("{platform_id}", &world.holdings.platform_id),
        ),
        "grant_consent" => json(
            op.path.replace("{account_id}", account),
            json!({"grantee_id": world.holdings.platform_id, "scopes": ["holdings_read"],
                   "expires_at": month}),
        ),
        "get_consent" => bare(op.path.replace("{consent_id}", &world.consent_id)),
        "revoke_consent" => bare(op.path.replace("{consent_id}", &consent().await?)),
        "appoint_delegate" => {
            let rep = ctx.platform_rep(&world.holdings).await?;
            json(
                op.path.replace("{account_id}", account),
                json!({"representative_id": rep.id, "roles": ["initiator"]}),
            )
        }
        "revoke_delegation" => {
            let rep = ctx.platform_rep(&world.holdings).await?;
            let delegation = world
                .owner
                .approver
                .client
                .appoint_delegate()
                .account_id(account)
                .body(DelegationRequest {
                    representative_id: rep.id.clone(),
                    roles: vec![Role::Initiator],
                })
                .send()
                .await
                .expect_ok("fixture: appoint_delegate")?;
            bare(
                op.path
                    .replace("{account_id}", account)
                    .replace("{delegation_id}", &delegation.delegation_id),
            )
        }
        "create_reservation" => json(
            op.path.clone(),
            json!({"account_id": account, "platform_id": world.reserved.platform_id,
                   "custodial_account_id": world.custodial, "unit_type": "ACCU", "quantity": 1,
                   "expires_at": day}),
        ),
        "get_reservation" | "release_reservation" => {
            bare(op.path.replace("{reservation_id}", &reservation().await?))
        }
        "create_escrow" => json(
            op.path.clone(),
            json!({"account_id": account, "controller_id": world.controller.platform_id,
                   "unit_type": "ACCU", "quantity": 1, "expires_at": day}),
        ),
        "get_escrow" | "release_escrow" => bare(op.path.replace("{escrow_id}", &escrowed().await?)),
        "approve_escrow" => bare(op.path.replace("{escrow_id}", &pending_escrow().await?)),
        "reject_escrow" => json(
            op.path.replace("{escrow_id}", &pending_escrow().await?),
            json!({"reason": "access matrix"}),
        ),
        "settle_escrow" => json(
            op.path.replace("{escrow_id}", &escrowed().await?),
            json!({"to_account_id": world.dest.account_id}),
        ),
        "create_association" => {
            let serial = world.fresh_serial();
            json(
                op.path.clone(),
                json!({"account_id": account, "unit_type": "ACCU", "serial": serial,
                       "certificate_id": format!("MX-{}-{serial}", ctx.check_id())}),
            )
        }
        "get_association" | "dissolve_association" => {
            bare(op.path.replace("{association_id}", &association().await?))
        }
        "create_webhook_subscription" => {
            let (url, _) = ctx.webhook_url();
            json(
                op.path.clone(),
                json!({"url": url, "event_types": ["consent.expired"]}),
            )
        }
        "delete_webhook_subscription" | "list_webhook_deliveries" => {
            bare(op.path.replace("{subscription_id}", &subscription().await?))
        }
        other => {
            return Err(Failure::new(format!(
                "suite gap: no fixture builds a request for operation {other}; add it to matrix::target"
            )));
        }
    })
}

/// Units issued by a matrix request join the run's ledger, so that the run-wide conservation
/// checks still balance.
pub(in crate::checks) fn note_issuance(ctx: &Ctx, operation_id: &str, response: &RawResponse) {
    if operation_id != "issue_units" || !(200..300).contains(&response.status) {
        return;
    }
    if let Ok(block) = serde_json::from_slice::<UnitBlock>(&response.body) {
        ctx.run_state()
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .issued
            .push(block);
    }
}
