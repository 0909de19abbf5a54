//! Fixture provisioning: holders, accounts, representatives and units, through the sandbox API or
//! taken from a configured target, noted in the run's ledger.

use super::*;

impl Ctx {
    /// Takes the first provided platform of `kind` not yet taken by this check; `None` when the run
    /// uses the sandbox. `Err` (skipped) when none is left.
    pub(crate) fn take_provided_platform(
        &self,
        kind: ucr_sdk::types::PlatformKind,
    ) -> Option<Result<Platform, Failure>> {
        let Provision::Provided(Provided { platforms, .. }) = &self.run.provision else {
            return None;
        };
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let found = platforms
            .iter()
            .find(|p| p.kind == kind && !taken.contains(&p.platform_id))
            .cloned();
        Some(match found {
            Some(platform) => {
                taken.insert(platform.platform_id.clone());
                Ok(platform)
            }
            None => Err(Failure::skipped(format!(
                "needs a {kind} of its own; without the sandbox API the configuration must provide one, \
                 and it has no further {kind} ({} platforms provided)",
                platforms.len()
            ))),
        })
    }

    /// Takes the first provided account not yet taken by this check for which `pick` finds a
    /// fixture; `None` when the run uses the sandbox. `Err` (skipped) when none is left.
    fn take_provided<T>(
        &self,
        what: &str,
        pick: impl Fn(&ProvidedAccount) -> Option<T>,
    ) -> Option<Result<T, Failure>> {
        let Provision::Provided(Provided { accounts, .. }) = &self.run.provision else {
            return None;
        };
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        for account in accounts {
            if taken.contains(&account.account_id) {
                continue;
            }
            if let Some(fixture) = pick(account) {
                taken.insert(account.account_id.clone());
                return Some(Ok(fixture));
            }
        }
        Some(Err(Failure::skipped(format!(
            "needs {what}; without the sandbox API the configuration must provide one, and it has no \
             further account of that shape ({} provided, {} already used by this check)",
            accounts.len(),
            accounts
                .iter()
                .filter(|a| taken.contains(&a.account_id))
                .count()
        ))))
    }

    /// Notes an account the run created, and a token that can read it, for the run-wide checks.
    fn note_account(&self, account_id: &str, reader: Option<&str>) {
        let mut ledger = self.run.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let entry = ledger.accounts.entry(account_id.to_owned()).or_default();
        if entry.is_none() {
            *entry = reader.map(str::to_owned);
        }
    }

    /// Creates an account holder.
    pub async fn new_holder(&self) -> Result<AccountHolder, Failure> {
        let name = self.unique("Conformance holder");
        let body = ucr_sdk::types::NewAccountHolder {
            name: parse(&name, "holder name")?,
        };
        self.operator("create an account holder")?
            .create_account_holder()
            .body(body)
            .send()
            .await
            .expect_ok("creating an account holder (sandbox)")
    }

    /// Opens a holding account for `holder_id`.
    pub async fn new_account(&self, holder_id: &str) -> Result<String, Failure> {
        self.open_account(holder_id, ucr_sdk::types::AccountKind::Holding)
            .await
    }

    /// Opens an account of `kind` for `holder_id`.
    pub async fn open_account(
        &self,
        holder_id: &str,
        kind: ucr_sdk::types::AccountKind,
    ) -> Result<String, Failure> {
        let body = ucr_sdk::types::NewAccount {
            holder_id: holder_id.to_owned(),
            kind,
            name: parse(&self.unique("Conformance account"), "account name")?,
        };
        let account = self
            .operator("open an account")?
            .create_account()
            .body(body)
            .send()
            .await
            .expect_ok("opening an account (sandbox)")?;
        self.note_account(&account.account_id, None);
        Ok(account.account_id)
    }

    /// Appoints a new representative with `roles` to `account_id`.
    pub async fn appoint(&self, account_id: &str, roles: &[Role]) -> Result<Rep, Failure> {
        let name = self.unique("Conformance AR");
        let body = ucr_sdk::types::NewRepresentative {
            name: parse(&name, "representative name")?,
            roles: roles.to_vec(),
            representative_id: None,
        };
        let credential = self
            .operator("appoint a representative")?
            .appoint_representative()
            .account_id(account_id)
            .body(body)
            .send()
            .await
            .expect_ok("appointing a representative (sandbox)")?;
        self.note_reader(account_id, &credential.token);
        Ok(Rep {
            id: credential.representative_id,
            name: credential.name,
            roles: credential.roles,
            client: self.client_with_token(&credential.token),
            token: credential.token,
        })
    }

    /// Appoints an existing representative to another account with `roles`; it keeps its token.
    pub async fn appoint_existing(
        &self,
        account_id: &str,
        rep: &Rep,
        roles: &[Role],
    ) -> Result<(), Failure> {
        let body = ucr_sdk::types::NewRepresentative {
            name: parse(&rep.name, "representative name")?,
            roles: roles.to_vec(),
            representative_id: Some(rep.id.clone()),
        };
        let credential = self
            .operator("appoint a representative to another account")?
            .appoint_representative()
            .account_id(account_id)
            .body(body)
            .send()
            .await
            .expect_ok("appointing an existing representative to a second account (sandbox)")?;
        if credential.representative_id != rep.id {
            return Err(Failure::new(format!(
                "appointing existing representative {} answered with representative {}",
                rep.id, credential.representative_id
            )));
        }
        self.note_reader(account_id, rep.token());
        Ok(())
    }

    fn note_reader(&self, account_id: &str, token: &str) {
        self.note_account(account_id, Some(token));
    }

    /// A new holder with one account and one representative per entry of `roles`.
    pub async fn holder_with_reps(
        &self,
        roles: &[&[Role]],
    ) -> Result<(AccountHolder, String, Vec<Rep>), Failure> {
        let holder = self.new_holder().await?;
        let account_id = self.new_account(&holder.holder_id).await?;
        let mut reps = Vec::with_capacity(roles.len());
        for r in roles {
            reps.push(self.appoint(&account_id, r).await?);
        }
        Ok((holder, account_id, reps))
    }

    /// A new holder with one account, an `initiator` and a separate `approver`. Without the
    /// sandbox: the next provided account with an initiator-only and an approver-only
    /// representative.
    pub async fn holder_with_two_reps(&self) -> Result<FourEyes, Failure> {
        if let Some(provided) = self.take_provided(
            "an account with an initiator-only and an approver-only representative",
            |a| {
                Some(FourEyes {
                    holder: a.holder.clone(),
                    account_id: a.account_id.clone(),
                    initiator: a.rep_with(&[Role::Initiator])?.clone(),
                    approver: a.rep_with(&[Role::Approver])?.clone(),
                })
            },
        ) {
            return provided;
        }
        let (holder, account_id, mut reps) = self
            .holder_with_reps(&[&[Role::Initiator], &[Role::Approver]])
            .await?;
        let approver = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: approver missing"))?;
        let initiator = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: initiator missing"))?;
        Ok(FourEyes {
            holder,
            account_id,
            initiator,
            approver,
        })
    }

    /// A new holder with one account and a single representative holding both roles. Without the
    /// sandbox: the next provided account whose only representative holds both roles.
    pub async fn holder_with_one_rep(&self) -> Result<Party, Failure> {
        if let Some(provided) = self.take_provided(
            "an account whose only representative is both initiator and approver",
            |a| {
                (a.representatives == 1).then_some(())?;
                Some(Party {
                    holder: a.holder.clone(),
                    account_id: a.account_id.clone(),
                    rep: a.rep_with(&[Role::Initiator, Role::Approver])?.clone(),
                })
            },
        ) {
            return provided;
        }
        let (holder, account_id, mut reps) = self
            .holder_with_reps(&[&[Role::Initiator, Role::Approver]])
            .await?;
        let rep = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: representative missing"))?;
        Ok(Party {
            holder,
            account_id,
            rep,
        })
    }

    /// Issues `quantity` units with `attrs` into `account_id` and records them in the run's ledger.
    pub async fn issue(
        &self,
        account_id: &str,
        quantity: u64,
        attrs: &Attrs,
    ) -> Result<UnitBlock, Failure> {
        let quantity = NonZeroU64::new(quantity)
            .ok_or_else(|| Failure::new("fixture: cannot issue zero units"))?;
        let body = ucr_sdk::types::IssuanceRequest {
            account_id: account_id.to_owned(),
            unit_type: attrs.unit_type.clone(),
            quantity,
            project_id: attrs.project_id.clone(),
            vintage: attrs.vintage.clone(),
            method: attrs.method.clone(),
            facility_id: attrs.facility_id.clone(),
            facility_name: attrs.facility_name.clone(),
            issuance_year: attrs.issuance_year.map(u64::from),
            kyoto_status: attrs.kyoto_status,
            state: attrs.state.clone(),
            issued_on: None,
        };
        let block = self
            .operator("issue units")?
            .issue_units()
            .body(body)
            .send()
            .await
            .expect_ok("issuing units (sandbox)")?;
        self.run
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .issued
            .push(block.clone());
        if block.quantity != quantity.get()
            || block
                .serial_end
                .checked_sub(block.serial_start)
                .map(|d| d + 1)
                != Some(quantity.get())
        {
            return Err(Failure::new(format!(
                "issuing {quantity} units answered with block {} of quantity {} (serials {}..={})",
                block.block_id, block.quantity, block.serial_start, block.serial_end
            )));
        }
        Ok(block)
    }

    /// `quantity` units of `attrs.unit_type` in `account_id` that the check may use, for checks
    /// whose assertions hold whatever else the account holds (refusals, access, authentication).
    /// With the sandbox they are freshly issued (like [`Ctx::issue`]); on a provided account they
    /// are the first `quantity` serials of an `available` block of that unit type the account
    /// already holds, and the returned block describes exactly those serials. Without such a block
    /// the check is skipped.
    pub async fn stock(
        &self,
        account_id: &str,
        quantity: u64,
        attrs: &Attrs,
    ) -> Result<UnitBlock, Failure> {
        let Provision::Provided(Provided { accounts, .. }) = &self.run.provision else {
            return self.issue(account_id, quantity, attrs).await;
        };
        if quantity == 0 {
            return Err(Failure::new("fixture: cannot use zero units"));
        }
        let reader = accounts
            .iter()
            .find(|a| a.account_id == account_id)
            .and_then(|a| a.reps.first())
            .ok_or_else(|| {
                Failure::skipped(format!(
                    "needs units in {account_id}, which is not a configured account (sandbox needed)"
                ))
            })?;
        let blocks = self.holdings(&reader.client, account_id).await?;
        let block = blocks
            .into_iter()
            .filter(|b| {
                b.status == BlockStatus::Available
                    && b.unit_type == attrs.unit_type
                    && b.quantity >= quantity
            })
            .min_by_key(|b| b.serial_start)
            .ok_or_else(|| {
                Failure::skipped(format!(
                    "needs {quantity} available {} in one block of the configured account {account_id}; \
                     it holds none (provision more units)",
                    attrs.unit_type
                ))
            })?;
        Ok(UnitBlock {
            quantity,
            serial_end: block.serial_start + quantity - 1,
            ..block
        })
    }
}
