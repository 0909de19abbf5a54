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
    Requirement {
        id: "REQ-REGISTER-004",
        text: "Every Carbon Abatement Contract's `project_id` MUST name a project of the ACCU project register, and every ACCU project's `contract_id`, when present, MUST name a Carbon Abatement Contract for that project.",
        operations: &["list_accu_projects", "list_carbon_abatement_contracts"],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-005",
        text: "Register identifiers MUST have their documented formats: an ACCU project's `project_id` `ERF` and six digits, a contract's `contract_id` `CAC-` and four digits, and a Guarantee of Origin profile's `profile_id` `GO-` and five digits.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
];
