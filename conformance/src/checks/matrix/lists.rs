//! What an allowed list cell may answer: the rows of a `200` list, judged against who owns what
//! in the [`World`] (the caller's own accounts and objects, never another holder's or another
//! platform's).

use std::collections::BTreeSet;

use serde_json::Value;

use super::table::Actor;
use super::world::World;
use crate::assert::merge_ranges;

/// The rows of an allowed list answer must be only what `actor` may see (and, where the world
/// holds such rows, include them); `Err` says what is wrong. Lists other than the caller's own
/// collections and the owner account's lists are not judged here (the public registers).
pub(super) fn judge_rows(
    world: &World,
    actor: Actor,
    operation: &str,
    body: &Value,
) -> Result<(), String> {
    let Some(items) = body.get("items").and_then(Value::as_array) else {
        return Err("the answer has no `items` array".to_owned());
    };
    let owner = world.account();
    let representative = matches!(actor, Actor::Initiator | Actor::Approver | Actor::Delegate);
    let platform = world.platform_id(actor);
    let own_platform = |field: &'static str| Rule::Only {
        field,
        value: platform.unwrap_or_default().to_owned(),
        some: true,
    };
    let owner_rows = |field: &'static str| Rule::Only {
        field,
        value: owner.to_owned(),
        some: true,
    };
    let rule = match operation {
        // REQ-ACCESS-002, REQ-SCOPE-007: exactly the appointed accounts, or those with an active
        // `holdings_read` consent.
        "list_accounts" => Rule::Exactly {
            field: "account_id",
            values: match actor {
                _ if representative => vec![owner.to_owned()],
                Actor::OtherHolder => vec![world.other.account_id.clone()],
                Actor::HoldingsRead => vec![owner.to_owned()],
                _ => Vec::new(),
            },
        },
        // REQ-SCOPE-003, REQ-SCOPE-004: every block of the account, or only the reserved blocks
        // of the caller's active reservations (the world holds one, made for it).
        "list_holdings" => match actor {
            Actor::ReservedUnitsRead => Rule::Only {
                field: "status",
                value: "reserved".to_owned(),
                some: true,
            },
            _ => Rule::Serials(world.block.serial_start, world.block.serial_end),
        },
        // REQ-ACCESS-002: the owner's history holds only rows from or to the owner's account.
        "list_transactions" => Rule::Touches(owner.to_owned()),
        // A platform lists the consents granted to it, a representative those on its accounts.
        "list_consents" => match (representative, actor, platform) {
            (true, _, _) => owner_rows("account_id"),
            (_, Actor::OtherHolder | Actor::Operator, _) => Rule::Empty,
            (_, Actor::HoldingsRead | Actor::TransactionsRead, _)
            | (_, Actor::ReservedUnitsRead | Actor::Association, _) => own_platform("grantee_id"),
            (_, _, Some(platform)) => Rule::Only {
                field: "grantee_id",
                value: platform.to_owned(),
                some: false,
            },
            _ => Rule::Empty,
        },
        "list_account_consents" | "list_delegations" => owner_rows("account_id"),
        // REQ-ACCESS-002, REQ-ACCESS-004, REQ-SCOPE-008: the owner's representatives see the
        // account's objects; a platform only those made for it, controlled or made by it.
        "list_reservations" => match actor {
            _ if representative => owner_rows("account_id"),
            Actor::ReservedUnitsRead => own_platform("platform_id"),
            _ => Rule::Empty,
        },
        "list_escrows" => match actor {
            _ if representative => owner_rows("account_id"),
            Actor::Controller => own_platform("controller_id"),
            _ => Rule::Empty,
        },
        "list_associations" => match actor {
            _ if representative => owner_rows("account_id"),
            Actor::Association => own_platform("registry_id"),
            _ => Rule::Empty,
        },
        _ => return Ok(()),
    };
    rule.judge(items)
}

/// The subscriptions a platform lists are its own: no subscription ID appears in two platforms'
/// lists, and the `holdings_read` platform (which subscribed in the fixture) lists at least one.
pub(super) fn judge_subscriptions(answers: &[(Actor, &Value)]) -> Vec<String> {
    let ids = |body: &Value| -> BTreeSet<String> {
        body.get("items")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["subscription_id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let mut seen: Vec<(Actor, BTreeSet<String>)> = Vec::new();
    for (actor, body) in answers {
        let mine = ids(body);
        if *actor == Actor::HoldingsRead && mine.is_empty() {
            problems.push(format!(
                "{}: 200, but its own subscription is not listed",
                actor.label()
            ));
        }
        for (other, theirs) in &seen {
            let shared: Vec<&String> = mine.intersection(theirs).collect();
            if !shared.is_empty() {
                problems.push(format!(
                    "{} and {}: both list subscriptions {shared:?}; a platform lists only its own",
                    actor.label(),
                    other.label()
                ));
            }
        }
        seen.push((*actor, mine));
    }
    problems
}

/// What the rows of one list must be.
enum Rule {
    /// No row at all.
    Empty,
    /// Exactly these values of `field`, in any order.
    Exactly {
        field: &'static str,
        values: Vec<String>,
    },
    /// Every row has `field` equal to `value`; with `some`, at least one row (the world has one).
    Only {
        field: &'static str,
        value: String,
        some: bool,
    },
    /// Transaction rows: each from or to this account, at least one.
    Touches(String),
    /// Unit blocks: together exactly the serials `start..=end`.
    Serials(u64, u64),
}

impl Rule {
    fn judge(&self, items: &[Value]) -> Result<(), String> {
        let text = |item: &Value, field: &str| item[field].as_str().unwrap_or_default().to_owned();
        match self {
            Rule::Empty if items.is_empty() => Ok(()),
            Rule::Empty => Err(format!(
                "it may see none of these rows, yet {} are listed: {}",
                items.len(),
                ids(items)
            )),
            Rule::Exactly { field, values } => {
                let expected: BTreeSet<&str> = values.iter().map(String::as_str).collect();
                let got: Vec<String> = items.iter().map(|i| text(i, field)).collect();
                let got_set: BTreeSet<&str> = got.iter().map(String::as_str).collect();
                if expected == got_set && got.len() == got_set.len() {
                    Ok(())
                } else {
                    Err(format!(
                        "`{field}` of the rows is {got:?}, expected exactly {expected:?}"
                    ))
                }
            }
            Rule::Only { field, value, some } => {
                let foreign: Vec<String> = items
                    .iter()
                    .filter(|i| text(i, field) != *value)
                    .map(|i| format!("{} ({field} {})", row_id(i), text(i, field)))
                    .collect();
                if !foreign.is_empty() {
                    return Err(format!(
                        "rows that are not its own are listed ({field} must be {value}): {}",
                        foreign.join(", ")
                    ));
                }
                if *some && items.is_empty() {
                    return Err(format!(
                        "no row is listed, although the fixture holds one with {field} {value}"
                    ));
                }
                Ok(())
            }
            Rule::Touches(account) => {
                let foreign: Vec<String> = items
                    .iter()
                    .filter(|i| {
                        i["from_account_id"].as_str() != Some(account)
                            && i["to_account_id"].as_str() != Some(account)
                    })
                    .map(row_id)
                    .collect();
                if !foreign.is_empty() {
                    return Err(format!(
                        "transactions neither from nor to {account} are listed: {}",
                        foreign.join(", ")
                    ));
                }
                if items.is_empty() {
                    return Err(format!(
                        "no transaction of {account} (its issuance) is listed"
                    ));
                }
                Ok(())
            }
            Rule::Serials(start, end) => {
                let ranges = merge_ranges(items.iter().map(|i| {
                    (
                        i["serial_start"].as_u64().unwrap_or(0),
                        i["serial_end"].as_u64().unwrap_or(0),
                    )
                }));
                let units: u64 = items.iter().filter_map(|i| i["quantity"].as_u64()).sum();
                if ranges == [(*start, *end)] && units == end - start + 1 {
                    Ok(())
                } else {
                    Err(format!(
                        "the blocks listed hold serials {ranges:?} ({units} units), expected exactly the account's {start}..={end}"
                    ))
                }
            }
        }
    }
}

/// The ID of a row, whatever its kind.
fn row_id(item: &Value) -> String {
    [
        "account_id",
        "transaction_id",
        "consent_id",
        "delegation_id",
        "reservation_id",
        "escrow_id",
        "association_id",
        "block_id",
    ]
    .iter()
    .rev()
    .find_map(|field| item[*field].as_str().map(str::to_owned))
    .unwrap_or_else(|| item.to_string())
}

fn ids(items: &[Value]) -> String {
    items.iter().map(row_id).collect::<Vec<_>>().join(", ")
}
