//! Set-up shared by the SDK's integration tests: a mock registry with one funded account.

use std::num::NonZeroU64;

use ucr_mock::MockRegistry;
use ucr_sdk::{Client, types};

/// A running registry, an account with 1,000 ACCUs, and clients for its two representatives.
pub struct Funded {
    pub registry: MockRegistry,
    pub account_id: String,
    pub buyer_id: String,
    pub initiator_token: String,
    pub initiator: Client,
    pub approver: Client,
}

pub async fn funded() -> Funded {
    let registry = MockRegistry::start().await;
    let anonymous = Client::builder(registry.uri()).build().unwrap();
    let token = anonymous
        .create_operator_session()
        .send()
        .await
        .unwrap()
        .into_inner()
        .token;
    let operator = anonymous.with_bearer_token(&token);
    let mut accounts = Vec::new();
    for name in ["Seller Pty Ltd", "Buyer Pty Ltd"] {
        let holder = operator
            .create_account_holder()
            .body(types::NewAccountHolder {
                name: name.parse().unwrap(),
            })
            .send()
            .await
            .unwrap();
        let account = operator
            .create_account()
            .body(types::NewAccount {
                holder_id: holder.holder_id.clone(),
                name: format!("{name} holding").parse().unwrap(),
                kind: types::AccountKind::Holding,
            })
            .send()
            .await
            .unwrap();
        accounts.push(account.into_inner().account_id);
    }
    let mut tokens = Vec::new();
    for (name, role) in [
        ("Ina Initiator", types::Role::Initiator),
        ("Abe Approver", types::Role::Approver),
    ] {
        let credential = operator
            .appoint_representative()
            .account_id(&accounts[0])
            .body(types::NewRepresentative {
                name: name.into(),
                roles: vec![role],
                representative_id: None,
            })
            .send()
            .await
            .unwrap();
        tokens.push(credential.into_inner().token);
    }
    operator
        .issue_units()
        .body(types::IssuanceRequest {
            account_id: accounts[0].clone(),
            unit_type: "ACCU".into(),
            quantity: NonZeroU64::new(1000).unwrap(),
            project_id: Some("ERF101234".into()),
            vintage: "2023-24".into(),
            method: Some("Plantation forestry".into()),
            facility_id: None,
            facility_name: None,
            issuance_year: None,
            kyoto_status: Some(types::KyotoStatus::NonKyoto),
            state: "NSW".into(),
            issued_on: None,
        })
        .send()
        .await
        .unwrap();
    Funded {
        account_id: accounts[0].clone(),
        buyer_id: accounts[1].clone(),
        initiator: anonymous.with_bearer_token(&tokens[0]),
        initiator_token: tokens[0].clone(),
        approver: anonymous.with_bearer_token(&tokens[1]),
        registry,
    }
}

/// A transfer request for `quantity` ACCUs from the funded account to the buyer.
pub fn transfer_of(f: &Funded, quantity: u64) -> types::builder::TransferRequest {
    types::TransferRequest::builder()
        .from_account_id(&f.account_id)
        .to_account_id(&f.buyer_id)
        .unit_type("ACCU")
        .quantity(NonZeroU64::new(quantity))
}
