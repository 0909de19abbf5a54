//! Requirements on the CER's public registers: filters, sort, lookup by ID, CSV and register data.

use super::{Requirement, Verification::Api};

/// The public register requirements (`REQ-REGISTER-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-REGISTER-001",
        text: "A register's filters MUST combine with AND, and every filter but `proponent` and `contractor` MUST match exactly, case included.",
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
        text: "Every Carbon Abatement Contract's `project_ids` MUST list one or more projects, each on the ACCU project register, and every ACCU project's `contract_id`, when present, MUST name a Carbon Abatement Contract whose `project_ids` include that project.",
        operations: &["list_accu_projects", "list_carbon_abatement_contracts"],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-005",
        text: "Register identifiers MUST have their documented formats: an ACCU project's `project_id` one to twenty upper-case letters and digits, starting with a letter (`ERF` and six digits for projects registered under the Emissions Reduction Fund; projects transitioned from earlier schemes keep theirs), a contract's `contract_id` `CAC-` and four digits, and a Guarantee of Origin profile's `profile_id` `GO-` and five digits.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-006",
        text: "`GET /v1/registers/<register>/<id>` MUST answer the row of that ID exactly as the register's list serves it, and `404 not-found` for an ID not on the register.",
        operations: &[
            "get_accu_project",
            "get_carbon_abatement_contract",
            "get_guarantee_of_origin_project",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-007",
        text: "Every field of a register's rows that is a string, number, date or boolean MUST be a filter of the same name matching exactly, a list field's filter MUST match the rows whose list contains the value, number and date fields MUST also take the inclusive bounds `<field>_from` and `<field>_to`, and a row without the field MUST NOT match a filter on it.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-008",
        text: "A register list MUST order its rows by `sort` (`<field>` ascending, `-<field>` descending, over any string, number, date or boolean field; default the register's ID ascending; strings by Unicode code point, numbers by value, dates by day, `false` before `true`), rows without the field first in ascending and last in descending order, equal values by the register's ID ascending, and paging under a sort MUST serve every matching row exactly once in that order.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-REGISTER-009",
        text: "A register list asked with `Accept: text/csv` MUST answer `200` with `Content-Type: text/csv; charset=utf-8` and an RFC 4180 document: CRLF line ends, a header row of the row fields in the schema's order, then one record per row matching the filters (all of them, whatever `limit` and `page_token` say) in the `sort` order, fields quoted when they hold a comma, quote, CR or LF, an absent field empty, a list's items joined by `;`, other values as in JSON without quotes.",
        operations: &[
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        verification: Api,
    },
];
