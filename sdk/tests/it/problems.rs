//! Problem documents arrive as typed errors.

use ucr_sdk::{ProblemExt, ProblemKind};

use crate::helpers::{funded, transfer_of};

#[tokio::test]
async fn insufficient_units_is_a_typed_problem() {
    let f = funded().await;
    let err = f
        .initiator
        .initiate_transfer()
        .body(transfer_of(&f, 1_000_000))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.problem_kind(), Some(ProblemKind::InsufficientUnits));
    let problem = err.problem().unwrap();
    assert_eq!(problem.status, 409);
    assert_eq!(problem.type_, ProblemKind::InsufficientUnits.uri());
}

#[tokio::test]
async fn self_approval_is_refused_with_second_approver_required() {
    let f = funded().await;
    let transfer = f
        .initiator
        .initiate_transfer()
        .body(transfer_of(&f, 1))
        .send()
        .await
        .unwrap();
    // The initiator lacks the approver role, so the registry answers forbidden before four eyes.
    let err = f
        .initiator
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.problem_kind(), Some(ProblemKind::Forbidden));
    let ok = f
        .approver
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status, ucr_sdk::types::TransactionStatus::Completed);
}

#[tokio::test]
async fn missing_credentials_are_unauthenticated() {
    let f = funded().await;
    let err = f
        .initiator
        .anonymous()
        .list_accounts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.problem_kind(), Some(ProblemKind::Unauthenticated));
    let ucr_sdk::Error::ErrorResponse(response) = &err else {
        panic!("{err:?}")
    };
    assert!(response.headers().contains_key("www-authenticate"));
}

#[test]
fn every_kind_round_trips_through_its_uri() {
    for kind in ProblemKind::ALL {
        assert_eq!(ProblemKind::from_uri(kind.uri()), Some(*kind));
    }
    assert_eq!(ProblemKind::from_uri("urn:ucr:problem:made-up"), None);
}
