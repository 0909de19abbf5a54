//! Reads a check needs about an account, across all pages: holdings, history, snapshots.

use super::*;

impl Ctx {
    /// Every block of `account_id` (all statuses), read through `client`, across all pages.
    pub async fn holdings(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<Vec<UnitBlock>, Failure> {
        client
            .list_holdings()
            .account_id(account_id)
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| Failure::from(e).context(format!("listing the holdings of {account_id}")))
    }

    /// Every block of `account_id` with `status`.
    pub async fn holdings_with_status(
        &self,
        client: &Client,
        account_id: &str,
        status: BlockStatus,
    ) -> Result<Vec<UnitBlock>, Failure> {
        Ok(self
            .holdings(client, account_id)
            .await?
            .into_iter()
            .filter(|b| b.status == status)
            .collect())
    }

    /// The full transaction history of `account_id`, read through `client`.
    pub async fn history(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<Vec<Transaction>, Failure> {
        client
            .list_transactions()
            .account_id(account_id)
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!("listing the transactions of {account_id}"))
            })
    }

    /// The account's holdings and history, for [`crate::assert::assert_unchanged`].
    pub async fn snapshot(&self, client: &Client, account_id: &str) -> Result<Snapshot, Failure> {
        let holdings = self.holdings(client, account_id).await?;
        let history = self.history(client, account_id).await?;
        Ok(Snapshot {
            account_id: account_id.to_owned(),
            holdings: normalize(&holdings),
            history,
        })
    }
}
