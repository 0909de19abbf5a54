//! The parties a check works with: representatives (`Rep`), holders with their accounts (`Party`,
//! `FourEyes`), and the attributes of issued units (`Attrs`).

use super::*;

/// The attributes of units to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attrs {
    /// Unit type code.
    pub unit_type: String,
    /// ACCU Scheme project ID (ACCUs only).
    pub project_id: Option<String>,
    /// Financial year, `YYYY-YY`.
    pub vintage: String,
    /// Method name (ACCUs only).
    pub method: Option<String>,
    /// Safeguard facility ID (SMCs only).
    pub facility_id: Option<String>,
    /// Safeguard facility name (SMCs only).
    pub facility_name: Option<String>,
    /// Year of issue (SMCs only).
    pub issuance_year: Option<u16>,
    /// Kyoto eligibility (ACCUs only).
    pub kyoto_status: Option<KyotoStatus>,
    /// State or territory.
    pub state: String,
}

impl Attrs {
    /// ACCUs of a vegetation project in NSW, vintage 2023-24.
    pub fn accu() -> Self {
        Self {
            unit_type: "ACCU".into(),
            project_id: Some("ERF990001".into()),
            vintage: "2023-24".into(),
            method: Some(
                "Human-induced regeneration of a permanent even-aged native forest".into(),
            ),
            facility_id: None,
            facility_name: None,
            issuance_year: None,
            kyoto_status: Some(KyotoStatus::NonKyoto),
            state: "NSW".into(),
        }
    }

    /// SMCs of a Safeguard facility in WA, vintage 2024-25.
    pub fn smc() -> Self {
        Self {
            unit_type: "SMC".into(),
            project_id: None,
            vintage: "2024-25".into(),
            method: None,
            facility_id: Some("SGF-000417".into()),
            facility_name: Some("Pilbara LNG Processing Facility".into()),
            issuance_year: Some(2025),
            kyoto_status: None,
            state: "WA".into(),
        }
    }

    /// The same attributes with another vintage.
    pub fn vintage(mut self, vintage: &str) -> Self {
        self.vintage = vintage.into();
        self
    }

    /// The same attributes with another project.
    pub fn project(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The same attributes with another state.
    pub fn state(mut self, state: &str) -> Self {
        self.state = state.into();
        self
    }

    /// ACCU attributes that differ for every `n` (vintage and project), so that blocks issued with
    /// them can never be merged by the implementation.
    pub fn distinct(n: usize) -> Self {
        let year = 2012 + (n % 13);
        Self::accu()
            .vintage(&format!("{year}-{:02}", (year + 1) % 100))
            .project(&format!("ERF99{:04}", n % 10_000))
    }
}

/// An authorised representative appointed by a fixture, with a client that authenticates as it.
#[derive(Clone)]
pub struct Rep {
    /// Registry identifier.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Roles on the account it was appointed to by the fixture.
    pub roles: Vec<Role>,
    /// SDK client authenticating as this representative.
    pub client: Client,
    pub(super) token: String,
}

impl Rep {
    /// A representative whose credentials come from elsewhere (a configuration file).
    pub(crate) fn provided(
        id: String,
        name: String,
        roles: Vec<Role>,
        client: Client,
        token: String,
    ) -> Self {
        Self {
            id,
            name,
            roles,
            client,
            token,
        }
    }
}

impl Rep {
    /// The bearer token, for raw requests.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for Rep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rep")
            .field("id", &self.id)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// A holder's account with one representative holding both roles.
#[derive(Debug, Clone)]
pub struct Party {
    /// The account holder.
    pub holder: AccountHolder,
    /// The account.
    pub account_id: String,
    /// Its only representative (`initiator` and `approver`).
    pub rep: Rep,
}

/// A holder's account with two representatives: one `initiator`, one `approver`.
#[derive(Debug, Clone)]
pub struct FourEyes {
    /// The account holder.
    pub holder: AccountHolder,
    /// The account.
    pub account_id: String,
    /// Representative with the `initiator` role only.
    pub initiator: Rep,
    /// Representative with the `approver` role only.
    pub approver: Rep,
}
