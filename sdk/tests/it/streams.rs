//! Paging streams walk every page exactly once, and bounded collection stops at its bound.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use ucr_sdk::{Client, CollectError, Exchange, PageStreamExt, ProblemExt, ProblemKind, types};

use crate::helpers::funded;

#[tokio::test]
async fn a_stream_over_small_pages_equals_one_big_page() {
    let registry = ucr_mock::MockRegistry::start().await;
    let client = Client::builder(registry.uri()).build().unwrap();
    let streamed: Vec<types::GuaranteeOfOriginProject> = client
        .list_guarantee_of_origin_projects()
        .limit(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut big = Vec::new();
    let mut token = None;
    loop {
        let mut request = client.list_guarantee_of_origin_projects().limit(200);
        if let Some(t) = token.take() {
            request = request.page_token(t);
        }
        let page = request.send().await.unwrap().into_inner();
        big.extend(page.items);
        match page.next_page {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(streamed, big);
    let ids: HashSet<_> = streamed.iter().map(|p| p.profile_id.clone()).collect();
    assert_eq!(ids.len(), streamed.len(), "an item was repeated");
}

#[tokio::test]
async fn holdings_stream_sees_the_issued_block() {
    let f = funded().await;
    let blocks: Vec<types::UnitBlock> = f
        .initiator
        .list_holdings()
        .account_id(&f.account_id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(blocks.iter().map(|b| b.quantity).sum::<u64>(), 1000);
}

#[tokio::test]
async fn a_filtered_stream_stays_filtered_on_later_pages() {
    let registry = ucr_mock::MockRegistry::start().await;
    let client = Client::builder(registry.uri()).build().unwrap();
    let current: Vec<types::AccuProject> = client
        .list_accu_projects()
        .revoked(false)
        .limit(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(current.len() > 5, "the walk should span several pages");
    assert!(
        current.iter().all(|p| !p.revoked),
        "a later page lost the revoked=false filter"
    );
}

#[tokio::test]
async fn collect_at_most_returns_everything_within_the_bound() {
    let registry = ucr_mock::MockRegistry::start().await;
    let client = Client::builder(registry.uri()).build().unwrap();
    let all: Vec<types::AccuProject> = client
        .list_accu_projects()
        .state("QLD")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let bounded = client
        .list_accu_projects()
        .state("QLD")
        .limit(3)
        .stream()
        .collect_at_most(all.len())
        .await
        .unwrap();
    assert_eq!(bounded, all);
}

#[tokio::test]
async fn collect_at_most_stops_at_the_first_surplus_page() {
    let registry = ucr_mock::MockRegistry::start().await;
    let seen = Arc::new(Mutex::new(0_usize));
    let counter = seen.clone();
    let client = Client::builder(registry.uri())
        .observer(move |_e: Exchange| *counter.lock().unwrap() += 1)
        .build()
        .unwrap();
    let err = client
        .list_accu_projects()
        .limit(5)
        .stream()
        .collect_at_most(7)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CollectError::TooMany { max_items: 7 }),
        "{err}"
    );
    assert_eq!(err.to_string(), "the list has more than 7 items");
    assert_eq!(
        *seen.lock().unwrap(),
        2,
        "only the pages up to item 8 were fetched"
    );
}

#[tokio::test]
async fn collect_at_most_reports_a_failed_page() {
    let f = funded().await;
    let err = f
        .initiator
        .anonymous()
        .list_holdings()
        .account_id(&f.account_id)
        .stream()
        .collect_at_most(10)
        .await
        .unwrap_err();
    assert!(
        err.request()
            .is_some_and(|e| e.is(ProblemKind::Unauthenticated)),
        "{err:?}"
    );
}
