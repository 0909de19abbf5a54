//! Paging streams walk every page exactly once.

use std::collections::HashSet;

use futures::TryStreamExt;
use ucr_sdk::{Client, types};

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
