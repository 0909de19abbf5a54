//! Requirements on the CER's public registers: filter semantics and register data.

use super::{Requirement, Verification::Api};

/// The public register requirements (`REQ-REGISTER-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-REGISTER-001",
        text: "A register's filters MUST combine with AND, and `state`, `method_type`, `project_id`, `delivery_obligation`, `energy_source`, `profile_type`, `status` and `revoked` MUST match exactly, case included.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-002",
        text: "`proponent` and `contractor` MUST match every entry whose proponent or contractor name contains the given text, ignoring case.",
        operations: &["list_accu_projects", "list_carbon_abatement_contracts"],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-003",
        text: "A Carbon Abatement Contract's `volume_delivered` MUST NOT exceed its `volume_committed`.",
        operations: &["list_carbon_abatement_contracts"],
        verification: Api,
    },
];
