//! Named faults: deliberate, realistic implementation bugs the mock can be started with, to prove
//! that the conformance suite notices each of them.
//!
//! Every fault is off by default. [`MockRegistryBuilder::fault`](crate::MockRegistryBuilder::fault)
//! and `ucr-mock --fault NAME` switch one on. Each is one small branch in the mock, marked with a
//! `FAULT(<name>)` comment where the bug would live, consulting the one [`Faults`] set the
//! registry, the router and the webhook dispatcher share. A fault changes behaviour only; it never
//! makes the mock panic or answer 5xx.
//!
//! Each fault names its intended catchers ([`Fault::catchers`]): the conformance checks written to
//! notice that bug. The conformance crate's `faults` test runs them once per fault and requires
//! every one to fail (`docs/faults.md` is its table, from a run of the whole suite per fault).

use std::fmt;
use std::str::FromStr;

/// Declares the fault enum and its table of names, areas and descriptions in one place.
macro_rules! faults {
    ($( $(#[$doc:meta])* $variant:ident = (
        $name:literal, $area:literal, $description:literal, [$($catcher:literal),+ $(,)?]
    ), )+) => {
        /// One deliberate implementation bug (see the [module docs](self)).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Fault {
            $( $(#[$doc])* $variant, )+
        }

        impl Fault {
            /// Every fault, in documentation order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant),+];

            /// The stable kebab-case name, as given to `ucr-mock --fault`.
            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)+ }
            }

            /// The model of the CER's paper (`A.1` … `C.1`) or the cross-cutting part (`paging`,
            /// `problems`, `idempotency`, `webhooks`, `auth`) the bug belongs to.
            pub fn area(self) -> &'static str {
                match self { $(Fault::$variant => $area,)+ }
            }

            /// One line saying what goes wrong.
            pub fn description(self) -> &'static str {
                match self { $(Fault::$variant => $description,)+ }
            }

            /// The IDs of the conformance checks meant to catch this fault (its intended
            /// catchers): each asserts a requirement the fault breaks. The fault test requires
            /// every one of them to fail under the fault; other checks failing is only reported.
            pub fn catchers(self) -> &'static [&'static str] {
                match self { $(Fault::$variant => &[$($catcher),+],)+ }
            }
        }
    };
}

faults! {
    /// Four eyes not enforced.
    SelfApproval = ("self-approval", "A.1",
        "the initiator may approve or reject its own transaction on an account with several representatives",
        ["A1-APPROVAL-001", "A1-APPROVAL-005", "A1-CANCEL-004"]),
    /// Four eyes skipped when a cancellation is rejected.
    CancellationRejectedByInitiator = ("cancellation-rejected-by-initiator", "A.1",
        "the initiator may reject its own cancellation on an account with several representatives",
        ["A1-CANCEL-006"]),
    /// Asking for more units than available takes what there is.
    Overdraw = ("overdraw", "A.1",
        "a quantity larger than the available units is accepted (the transaction takes what is available) instead of 409 insufficient-units",
        ["A1-RACE-001", "B4-RESERVE-007", "B5-ESCROW-007"]),
    /// Approved cancellations do not lock their units.
    CancelledUnitsStayAvailable = ("cancelled-units-stay-available", "A.1",
        "an approved cancellation leaves its units in holdings as available, so they can still be transferred",
        ["A1-CANCEL-001", "A1-CANCEL-003", "A1-CANCEL-005"]),
    /// Approved cancellations delete their units.
    CancellationDropsUnits = ("cancellation-drops-units", "A.1",
        "an approved cancellation removes its units from holdings instead of keeping them as cancelled blocks (conservation broken)",
        ["A1-CANCEL-001", "A1-CONSERVE-001"]),
    /// Off-by-one when a block splits.
    SerialsOverlapAfterSplit = ("serials-overlap-after-split", "A.1",
        "splitting a block keeps the split serial in both halves, so serial ranges overlap",
        ["A1-TRANSFER-003", "A1-CONSERVE-002"]),
    /// History recorded on the source account only.
    HistoryMissingIncoming = ("history-missing-incoming", "A.1",
        "an account's history leaves out transfers into it",
        ["A1-HISTORY-005"]),
    /// Existence of foreign accounts leaks.
    ForeignAccountForbidden = ("foreign-account-forbidden", "A.1",
        "another holder's existing account answers 403 forbidden instead of 404 not-found, leaking that it exists",
        ["A1-ACCESS-001", "A1-ACCESS-002"]),
    /// Decided transfers can be approved again.
    DecidedTransferApprovable = ("decided-transfer-approvable", "A.1",
        "approving a transfer that is no longer pending (rescinded, rejected, completed) succeeds",
        ["A1-TRANSFER-007", "A1-TRANSFER-010"]),
    /// The holdings status filter is dropped.
    HoldingsStatusFilterIgnored = ("holdings-status-filter-ignored", "A.1",
        "list_holdings ignores its status filter and returns blocks of every status",
        ["A1-HOLDINGS-003"]),
    /// Pending transfers never lapse.
    PendingTransferNeverExpires = ("pending-transfer-never-expires", "A.1",
        "a transfer pending approval stays pending past its expires_at, its units locked",
        ["A1-TRANSFER-013"]),
    /// A page's last item repeats on the next page.
    PageRepeatsItem = ("page-repeats-item", "paging",
        "next_page points one item back, so the last item of a page is served again on the next",
        ["A1-PAGING-001", "A1-PAGING-002"]),
    /// An item after each page boundary is skipped.
    PageDropsItem = ("page-drops-item", "paging",
        "the page after a page_token skips its first item",
        ["A1-PAGING-001", "A1-PAGING-002"]),
    /// Out-of-range limits are clamped.
    LimitClamped = ("limit-clamped", "paging",
        "an out-of-range limit (0, 201) is clamped into 1–200 instead of refused with 400 invalid-parameter",
        ["A1-PAGING-003"]),
    /// Problems served as plain JSON.
    ProblemPlainJson = ("problem-plain-json", "problems",
        "problem documents are served as application/json instead of application/problem+json",
        ["A1-PROBLEM-001", "A1-PROBLEM-002", "A1-PROBLEM-003"]),
    /// Writes without a key are accepted.
    IdempotencyKeyOptional = ("idempotency-key-optional", "idempotency",
        "a write without an Idempotency-Key is executed instead of refused with 400 idempotency-key-required",
        ["A1-IDEMPOTENCY-001"]),
    /// A replay runs the write again.
    ReplayExecutesTwice = ("replay-executes-twice", "idempotency",
        "a write replayed with the same Idempotency-Key and body is executed again instead of replaying the first response",
        ["A1-IDEMPOTENCY-002", "A1-IDEMPOTENCY-006"]),
    /// Same key, other body: replayed.
    KeyReuseReplayed = ("key-reuse-replayed", "idempotency",
        "the same Idempotency-Key with another body replays the first response instead of 422 idempotency-key-reused",
        ["A1-IDEMPOTENCY-003", "A1-IDEMPOTENCY-007"]),
    /// Refusals are not remembered under their key.
    RefusalNotReplayed = ("refusal-not-replayed", "idempotency",
        "a refused write is not stored under its Idempotency-Key, so a retry with the same key runs again and may succeed",
        ["A1-IDEMPOTENCY-009"]),
    /// Keys shared by every caller.
    KeysNotScoped = ("keys-not-scoped", "idempotency",
        "Idempotency-Keys are shared by all callers, so another representative's request with the same key gets the first one's response",
        ["A1-IDEMPOTENCY-005"]),
    /// OAuth access tokens do not lapse.
    ExpiredTokenAccepted = ("expired-token-accepted", "auth",
        "an OAuth access token is still accepted after its 3600 s lifetime",
        ["B1-OAUTH-003"]),
    /// 401 without a challenge.
    MissingWwwAuthenticate = ("missing-www-authenticate", "auth",
        "401 unauthenticated answers carry no WWW-Authenticate header",
        ["A1-AUTH-001", "A1-AUTH-002", "A1-AUTH-003"]),
    /// Client secret not compared.
    OauthSecretUnchecked = ("oauth-secret-unchecked", "auth",
        "the token endpoint issues an access token for a known client_id whatever the client_secret",
        ["B1-OAUTH-002"]),
    /// Revocation ignored by access checks.
    RevokedConsentHonoured = ("revoked-consent-honoured", "B.1",
        "a revoked consent still grants the platform access",
        ["B1-CONSENT-004"]),
    /// Expiry ignored by access checks.
    ExpiredConsentHonoured = ("expired-consent-honoured", "B.1",
        "a consent past its expires_at stays active and still grants access",
        ["B1-CONSENT-009"]),
    /// Any consent grants every read.
    ConsentScopeIgnored = ("consent-scope-ignored", "B.1",
        "any active consent grants every read of the account, whatever its scopes",
        ["B1-CONSENT-002"]),
    /// No consent.revoked event.
    ConsentRevokedNotNotified = ("consent-revoked-not-notified", "B.1",
        "revoking a consent sends the grantee no consent.revoked event",
        ["B1-WEBHOOK-001"]),
    /// Revoked delegates keep their appointment.
    RevokedDelegateActs = ("revoked-delegate-acts", "B.2",
        "a revoked delegation is marked revoked but the delegate stays appointed and keeps acting on the account",
        ["B2-DELEGATE-006", "B2-DELEGATE-007"]),
    /// Any representative appoints delegates.
    DelegateAppointedWithoutApprover = ("delegate-appointed-without-approver", "B.2",
        "a representative without the approver role may appoint a delegate to the account",
        ["B2-DELEGATE-004"]),
    /// Delegates ignored by four eyes.
    DelegateNotCountedForFourEyes = ("delegate-not-counted-for-four-eyes", "B.2",
        "four eyes counts only the holder's own representatives, so a sole representative self-approves despite a delegate",
        ["B2-DELEGATE-003"]),
    /// Custodial transfers complete without a second approver.
    CustodySkipsApproval = ("custody-skips-approval", "B.3",
        "a transfer out of a custodial account completes on initiation, without the four-eyes approval",
        ["B3-CUSTODY-001"]),
    /// No reservation.released event.
    UnreserveWithoutWebhook = ("unreserve-without-webhook", "B.4",
        "releasing a reservation sends the platform no reservation.released event",
        ["B4-WEBHOOK-001"]),
    /// Reserved units pass the lock check.
    ReservedUnitsTransferable = ("reserved-units-transferable", "B.4",
        "the seller can transfer, cancel or escrow reserved units by serial",
        ["B4-RESERVE-004"]),
    /// Reservations never lapse.
    ExpiredReservationKept = ("expired-reservation-kept", "B.4",
        "a reservation past its expires_at stays active, its units reserved",
        ["B4-RESERVE-008"]),
    /// Escrowed units pass the lock check.
    EscrowedUnitsTransferable = ("escrowed-units-transferable", "B.5",
        "the seller can transfer, cancel or reserve escrowed units by serial",
        ["B5-ESCROW-004"]),
    /// The seller releases its own escrow.
    EscrowReleasedBySeller = ("escrow-released-by-seller", "B.5",
        "a representative of the seller's account may release an escrow, not only its controller",
        ["B5-ESCROW-004"]),
    /// Representatives are not told a transfer awaits approval.
    HolderEventsMissingApproval = ("holder-events-missing-approval", "webhooks",
        "no transfer.pending_approval reaches the representatives of the accounts a new transfer touches",
        ["A1-EVENT-001"]),
    /// Representatives get the events of accounts they do not represent.
    HolderEventsLeakOtherAccounts = ("holder-events-leak-other-accounts", "webhooks",
        "every representative with a subscription gets every account's events, not only those of its accounts",
        ["A1-EVENT-002"]),
    /// Escrow creation bypasses four eyes.
    EscrowSkipsApproval = ("escrow-skips-approval", "B.5",
        "an escrow is active from its creation, so one initiator and the platform move units with no approver",
        ["B5-ESCROW-009"]),
    /// The escrow controller acts as a full representative.
    EscrowControllerOverreach = ("escrow-controller-overreach", "B.5",
        "the controller of a pending or active escrow reads the seller's account, holdings and history without consent",
        ["B5-ESCROW-011"]),
    /// Escrows never lapse.
    ExpiredEscrowKept = ("expired-escrow-kept", "B.5",
        "an escrow past its expires_at stays active, its units escrowed",
        ["B5-ESCROW-008"]),
    /// A unit can back several certificates.
    AssociationNotOneToOne = ("association-not-one-to-one", "C.1",
        "a unit that already has a live association can be associated again (by another registry)",
        ["C1-ASSOC-004"]),
    /// Cancellation does not reach associations.
    AssociationSurvivesCancellation = ("association-survives-cancellation", "C.1",
        "cancelling a unit leaves its association active",
        ["C1-ASSOC-003"]),
    /// Escrow settlement does not reach associations.
    SettlementKeepsAssociations = ("settlement-keeps-associations", "C.1",
        "settling an escrow moves the units to the buyer but leaves their associations active",
        ["C1-ASSOC-009"]),
    /// Transfers do not reach associations.
    AssociationSurvivesTransfer = ("association-survives-transfer", "C.1",
        "transferring a unit away leaves its association active",
        ["C1-ASSOC-002"]),
    /// Signatures keyed with the secret's text.
    WebhookBadSignature = ("webhook-bad-signature", "webhooks",
        "webhooks are signed with the bytes of the whsec_ secret string instead of its decoded key",
        ["B1-WEBHOOK-001", "B4-WEBHOOK-001"]),
    /// Failed deliveries are not retried.
    WebhookNoRetry = ("webhook-no-retry", "webhooks",
        "a delivery the receiver did not acknowledge is never retried",
        ["B4-WEBHOOK-002", "B4-WEBHOOK-005"]),
    /// A new webhook-id per attempt.
    WebhookIdChangesOnRetry = ("webhook-id-changes-on-retry", "webhooks",
        "each redelivery attempt sends a new webhook-id, so receivers cannot deduplicate",
        ["B4-WEBHOOK-002"]),
    /// Scopes of revoked consents join the union.
    RevokedConsentScopesCounted = ("revoked-consent-scopes-counted", "B.1",
        "while a platform holds any active consent on an account, the scopes of its revoked consents there still count",
        ["B1-SCOPE-001"]),
    /// Events go to every subscription of the recipient.
    EventTypeFilterIgnored = ("event-type-filter-ignored", "webhooks",
        "an event is delivered to every subscription of its recipient, also those that do not list its type",
        ["B1-EVENT-001"]),
    /// Deletion does not stop routing.
    DeletedSubscriptionDelivered = ("deleted-subscription-delivered", "webhooks",
        "deleting a subscription answers 200 but it stays: it is still listed and still receives events",
        ["B1-EVENT-002"]),
    /// Routing by any consent ever held.
    EventAfterConsentEnded = ("event-after-consent-ended", "webhooks",
        "transfer.completed is sent to every platform that ever held a consent on the account, also after the consent was revoked",
        ["B1-EVENT-003"]),
    /// Access tokens lapse early.
    TokenLifetimeShort = ("token-lifetime-short", "auth",
        "an OAuth access token stops working after 1800 s although issue_token says expires_in 3600",
        ["B1-LIFETIME-001"]),
    /// Idempotency records kept one hour.
    IdempotencyRecordShortLived = ("idempotency-record-short-lived", "idempotency",
        "an Idempotency-Key is forgotten one hour after its first request instead of kept at least 24 hours, so a late retry runs again",
        ["A1-LIFETIME-001"]),
    /// Expiries compared in whole seconds with `>`.
    ExpiryOffByOne = ("expiry-off-by-one", "B.4",
        "expiries are compared in whole seconds with > instead of >=, so an item stays active for the rest of the second of its expires_at",
        ["B4-LIFETIME-001"]),
    /// Reversed serial ranges swapped.
    ReversedRangeAccepted = ("reversed-range-accepted", "A.1",
        "a transfer's serial range with serial_end below serial_start is swapped and executed instead of refused with 422 validation-failed",
        ["A1-SERIALS-001"]),
    /// Overlapping serial ranges merged.
    OverlappingRangesAccepted = ("overlapping-ranges-accepted", "A.1",
        "a transfer's overlapping serial ranges are merged and executed instead of refused with 422 validation-failed",
        ["A1-SERIALS-002"]),
    /// The reservation's account is not compared with the source.
    ForeignReservationAccepted = ("foreign-reservation-accepted", "B.4",
        "a transfer quoting another account's reservation_id is not refused with 422 validation-failed: its serials are looked for in the source account (409 units-not-held)",
        ["B4-OWNERSHIP-001"]),
    /// A 4xx answer ends the delivery.
    WebhookNoRetryAfter4xx = ("webhook-client-error-not-retried", "webhooks",
        "a delivery the receiver answered with a 4xx is never retried (taken as final), although any non-2xx answer is a failed attempt",
        ["B4-REDELIVERY-001"]),
    /// Association lists not filtered by visibility.
    AssociationListLeaks = ("association-list-leaks", "C.1",
        "list_associations returns the associations of other registries and accounts, not only those visible to the caller",
        ["C1-ASSOC-008"]),
    /// Subscription lists not filtered by owner.
    SubscriptionListLeaks = ("subscription-list-leaks", "webhooks",
        "list_webhook_subscriptions returns every platform's subscriptions, not only the caller's",
        ["B4-WEBHOOK-004"]),
    /// Offsets dropped from request date-times.
    OffsetReadAsUtc = ("offset-read-as-utc", "B.1",
        "a consent's expires_at sent with a non-Z offset (+10:00) is read as that wall-clock time in UTC, ten hours off",
        ["B1-TIME-001"]),
    /// Page tokens hold a position, not a key.
    OffsetCursor = ("offset-cursor", "paging",
        "list_holdings' page_token holds the position of the last block served instead of its key, so a block that leaves an earlier page during a walk makes the next page skip one",
        ["A1-CURSOR-001"]),
    /// The custodial account's holder is not compared with the platform's.
    ForeignCustodialAccountAccepted = ("foreign-custodial-account-accepted", "B.4",
        "create_reservation accepts another platform's custodial account as custodial_account_id (only its kind is checked), so the units would go to a custody the platform does not control",
        ["B4-RESERVE-007"]),
    /// Consent subsets not applied to holdings.
    ConsentSubsetIgnored = ("consent-subset-ignored", "B.1",
        "list_holdings ignores a consent's subset: a platform whose consents name a set of holdings sees every block of the account",
        ["B1-CONSENT-010"]),
    /// Consent subsets not applied to balances.
    ConsentSubsetLeaksBalances = ("consent-subset-leaks-balances", "B.1",
        "get_account reports the whole account's balances to a platform whose holdings_read consents name a subset",
        ["B1-CONSENT-010"]),
    /// Consent subsets not applied to history.
    ConsentSubsetLeaksHistory = ("consent-subset-leaks-history", "B.1",
        "list_transactions shows a platform with subset consents every row of the account, with all its serials",
        ["B1-CONSENT-010"]),
    /// Consent subsets not applied to events.
    ConsentSubsetLeaksEvents = ("consent-subset-leaks-events", "B.1",
        "transfer.completed goes to a platform with a subset consent on the account even when the transfer moves no unit of the subset",
        ["B1-CONSENT-010"]),
    /// Consent subsets not applied to reservations.
    ConsentSubsetLeaksReservations = ("consent-subset-leaks-reservations", "B.4",
        "list_reservations and get_reservation show the platform a reservation of units outside its consents' subsets",
        ["B1-CONSENT-010"]),
    /// Consent subsets not validated.
    ConsentSubsetUnvalidated = ("consent-subset-unvalidated", "B.1",
        "grant_consent accepts a subset that narrows nothing, an unknown unit type or a reversed serial range",
        ["B1-CONSENT-011"]),
    /// Association outside the registry's subset.
    AssociationOutsideSubsetAccepted = ("association-outside-subset-accepted", "C.1",
        "create_association accepts serials outside the subsets of the registry's association consents",
        ["C1-ASSOC-010"]),
    /// The old rule: release refused while the reservation's transfer is pending.
    ReleaseRefusedWhilePending = ("release-refused-while-pending", "B.4",
        "release_reservation answers 409 while the reservation's transfer is pending instead of rescinding the transfer and releasing the units at any time",
        ["B4-RESERVE-006"]),
    /// No reservation.created event.
    ReservationCreatedNotSent = ("reservation-created-not-sent", "B.4",
        "creating a reservation sends no reservation.created event, so the platform must poll to learn of it",
        ["B4-RESERVE-009"]),
    /// Reserving gives view without consent.
    ReservationGrantsView = ("reservation-grants-view", "B.4",
        "get_reservation answers the platform a reservation made for it although it holds no consent on the account",
        ["B4-RESERVE-009"]),
    /// Fleeting custody reveals the seller.
    CustodyRevealsSeller = ("custody-reveals-seller", "B.4",
        "the buyer's history shows the transfer from the platform's custodial account as coming from the seller's account whose reservation brought the units",
        ["B4-RESERVE-010"]),
    /// The code verifier is not compared with the challenge.
    PkceNotVerified = ("pkce-not-verified", "AS",
        "the token endpoint exchanges an authorization code whatever code_verifier comes with it (present), so a stolen code works without the verifier",
        ["AS-CODE-001"]),
    /// `code_challenge_method=plain` is accepted.
    PkcePlainAccepted = ("pkce-plain-accepted", "AS",
        "the authorization endpoint accepts code_challenge_method=plain (and a missing method, read as plain) instead of redirecting with invalid_request",
        ["AS-AUTHORIZE-001"]),
    /// Codes are not marked used.
    AuthorizationCodeReusable = ("authorization-code-reusable", "AS",
        "an authorization code can be exchanged again while it lives, each time for new tokens, and the first exchange's tokens stay valid",
        ["AS-CODE-002"]),
    /// Redirect URIs compared by prefix.
    RedirectUriPrefixMatch = ("redirect-uri-prefix-match", "AS",
        "the authorization endpoint accepts any redirect_uri that starts with a registered one (a trailing slash, a longer path or an added query) and redirects there",
        ["AS-REDIRECT-001"]),
    /// Scopes not enforced on flow tokens.
    ScopesIgnored = ("scopes-ignored", "AS",
        "a representative's token from the authorization code flow may call every operation of the representative, whatever scopes were approved",
        ["AS-SCOPE-001"]),
    /// Refresh tokens not rotated.
    RefreshTokenNotRotated = ("refresh-token-not-rotated", "AS",
        "the refresh grant hands back the refresh token presented, which stays usable, so a stolen refresh token is never detected",
        ["AS-REFRESH-001"]),
    /// Revocation not applied to access tokens.
    RevokedTokenAccepted = ("revoked-token-accepted", "AS",
        "revoke_token answers 200 but a revoked access token keeps working until it expires",
        ["AS-REVOKE-001"]),
    /// Register range filters are ignored.
    RegisterFilterIgnored = ("register-filter-ignored", "A.1",
        "a public register ignores the range bounds `<field>_from` and `<field>_to`, answering every row that matches the other filters",
        ["A1-REGISTER-011"]),
    /// Register sort ties are not broken by ID.
    RegisterSortUnstable = ("register-sort-unstable", "A.1",
        "a sorted register pages on the sort value alone, so rows with the value at a page boundary are skipped",
        ["A1-REGISTER-012"]),
    /// Register CSV fields are not quoted.
    RegisterCsvMalformed = ("register-csv-malformed", "A.1",
        "a register's CSV download joins fields with commas without quoting, so a field holding a comma or quote breaks its record",
        ["A1-REGISTER-013"]),
    /// An unknown register ID answers another row.
    RegisterUnknownIdFound = ("register-unknown-id-found", "A.1",
        "get-by-ID on a public register answers the nearest following row for an unknown ID instead of 404 not-found",
        ["A1-REGISTER-010"]),
    /// Issuance keeps another unit type's attributes.
    UnitAttributesUnchecked = ("unit-attributes-unchecked", "A.1",
        "issue_units accepts and serves project_id and method on SMCs (and facility attributes on ACCUs) instead of refusing them with 422 validation-failed",
        ["A1-UNITS-001"]),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a fault's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no fault named {0:?}; `ucr-mock --list-faults` lists them")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| UnknownFault(name.to_owned()))
    }
}

/// The faults a mock runs with; empty (a correct registry) by default. Cheap to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Faults(u128);

impl Faults {
    /// No fault: the correct registry.
    pub const NONE: Faults = Faults(0);

    /// This set with `fault` switched on.
    #[must_use]
    pub fn with(self, fault: Fault) -> Faults {
        Faults(self.0 | Self::bit(fault))
    }

    /// Whether `fault` is switched on.
    pub fn has(self, fault: Fault) -> bool {
        self.0 & Self::bit(fault) != 0
    }

    /// Whether no fault is switched on.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The faults switched on, in documentation order.
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL.iter().copied().filter(move |f| self.has(*f))
    }

    fn bit(fault: Fault) -> u128 {
        let index = Fault::ALL.iter().position(|f| *f == fault).unwrap_or(0);
        1 << index
    }
}

impl FromIterator<Fault> for Faults {
    fn from_iter<I: IntoIterator<Item = Fault>>(faults: I) -> Self {
        faults.into_iter().fold(Faults::NONE, Faults::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_parse_back() {
        assert!(Fault::ALL.len() <= 128, "Faults is a 128-bit set");
        let mut names = std::collections::BTreeSet::new();
        for fault in Fault::ALL {
            let name = fault.name();
            assert!(names.insert(name), "{name} twice");
            assert!(
                name.split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                "{name} is not kebab-case"
            );
            assert_eq!(name.parse::<Fault>(), Ok(*fault));
            assert!(!fault.description().is_empty());
        }
        assert!("no-such-fault".parse::<Fault>().is_err());
    }

    #[test]
    fn sets_hold_exactly_what_was_added() {
        let faults: Faults = [Fault::Overdraw, Fault::WebhookNoRetry]
            .into_iter()
            .collect();
        assert!(faults.has(Fault::Overdraw) && faults.has(Fault::WebhookNoRetry));
        assert!(!faults.has(Fault::SelfApproval));
        assert_eq!(
            faults.iter().collect::<Vec<_>>(),
            [Fault::Overdraw, Fault::WebhookNoRetry]
        );
        assert!(Faults::NONE.is_empty() && !faults.is_empty());
    }
}
