//! The CER's public registers as seed data: realistic, deterministic rows generated from a seed
//! that exercise every column (absent values, lists, text needing CSV quoting, legacy project IDs,
//! contracts over several projects), and each register's columns for the query language.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use ucr_spec::registers::{
    AccuProject, CarbonAbatementContract, ContractStatus, GoProjectStatus, GuaranteeOfOriginProject,
};

use crate::register_query::Columns;

/// The ACCU project register's columns, in the schema's order.
pub(crate) const ACCU_PROJECT_COLUMNS: Columns = Columns {
    names: &[
        "project_id",
        "project_name",
        "project_description",
        "project_proponent",
        "state",
        "postcode",
        "method",
        "method_url",
        "method_type",
        "date_registered",
        "crediting_period_start",
        "crediting_period_end",
        "permanence_period_years",
        "carbon_maintenance_obligation",
        "accus_total_units_issued",
        "accus_kyoto_units_issued",
        "accus_non_kyoto_units_issued",
        "accus_total_units_relinquished",
        "project_conditions",
        "under_contract",
        "contract_id",
        "revoked",
    ],
    id: "project_id",
    substrings: &[("proponent", "project_proponent")],
};

/// The Carbon Abatement Contract register's columns, in the schema's order.
pub(crate) const CONTRACT_COLUMNS: Columns = Columns {
    names: &[
        "contract_id",
        "contractor_name",
        "project_ids",
        "delivery_obligation",
        "auction_date",
        "status",
        "volume_committed",
        "volume_delivered",
    ],
    id: "contract_id",
    substrings: &[("contractor", "contractor_name")],
};

/// The Guarantee of Origin register's columns, in the schema's order.
pub(crate) const GO_PROFILE_COLUMNS: Columns = Columns {
    names: &[
        "profile_id",
        "profile_name",
        "registered_person",
        "product_type",
        "profile_type",
        "energy_source",
        "nameplate_capacity_mw",
        "state",
        "registration_date",
        "status",
    ],
    id: "profile_id",
    substrings: &[],
};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// Rows generated per register.
const PROJECTS: usize = 400;
const CONTRACTS: usize = 150;
const GO_PROFILES: usize = 250;

/// The three public registers, each ordered by its id.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRegisters {
    /// ACCU Scheme projects, ordered by `project_id`.
    pub accu_projects: Vec<AccuProject>,
    /// Carbon Abatement Contracts, ordered by `contract_id`.
    pub carbon_abatement_contracts: Vec<CarbonAbatementContract>,
    /// Guarantee of Origin profiles, ordered by `profile_id`.
    pub guarantee_of_origin_projects: Vec<GuaranteeOfOriginProject>,
}

impl PublicRegisters {
    /// Generates the registers from `seed`; the same seed always gives the same rows.
    pub fn generate(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let proponents = company_names(
            &mut rng,
            90,
            &["Pty Ltd", "Pty Ltd", "Pty Ltd", "Ltd"],
            PROPONENT_WORDS,
        );
        let mut accu_projects = accu_projects(&mut rng, &proponents);
        let carbon_abatement_contracts = contracts(&mut rng, &mut accu_projects);
        let guarantee_of_origin_projects = go_profiles(&mut rng);
        PublicRegisters {
            accu_projects,
            carbon_abatement_contracts,
            guarantee_of_origin_projects,
        }
    }

    /// Total rows over the three registers.
    pub fn len(&self) -> usize {
        self.accu_projects.len()
            + self.carbon_abatement_contracts.len()
            + self.guarantee_of_origin_projects.len()
    }

    /// Whether all three registers are empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for PublicRegisters {
    fn default() -> Self {
        Self::generate(DEFAULT_SEED)
    }
}

/// A place: name, state or territory, postcode.
type Place = (&'static str, &'static str, &'static str);

const PLACES: &[Place] = &[
    ("Bourke", "NSW", "2840"),
    ("Cobar", "NSW", "2835"),
    ("Wilcannia", "NSW", "2836"),
    ("Walgett", "NSW", "2832"),
    ("Brewarrina", "NSW", "2839"),
    ("Hay", "NSW", "2711"),
    ("Hillston", "NSW", "2675"),
    ("Moree", "NSW", "2400"),
    ("Broken Hill", "NSW", "2880"),
    ("Dubbo", "NSW", "2830"),
    ("Wagga Wagga", "NSW", "2650"),
    ("Lucas Heights", "NSW", "2234"),
    ("Mildura", "VIC", "3500"),
    ("Ouyen", "VIC", "3490"),
    ("Horsham", "VIC", "3400"),
    ("Ballarat", "VIC", "3350"),
    ("Bendigo", "VIC", "3550"),
    ("Hamilton", "VIC", "3300"),
    ("Wollert", "VIC", "3750"),
    ("Longreach", "QLD", "4730"),
    ("Charleville", "QLD", "4470"),
    ("Cunnamulla", "QLD", "4490"),
    ("Blackall", "QLD", "4472"),
    ("Winton", "QLD", "4735"),
    ("Roma", "QLD", "4455"),
    ("Emerald", "QLD", "4720"),
    ("Normanton", "QLD", "4890"),
    ("Cooktown", "QLD", "4895"),
    ("Toowoomba", "QLD", "4350"),
    ("Ipswich", "QLD", "4305"),
    ("Kununurra", "WA", "6743"),
    ("Fitzroy Crossing", "WA", "6765"),
    ("Broome", "WA", "6725"),
    ("Derby", "WA", "6728"),
    ("Carnarvon", "WA", "6701"),
    ("Meekatharra", "WA", "6642"),
    ("Esperance", "WA", "6450"),
    ("Albany", "WA", "6330"),
    ("Geraldton", "WA", "6530"),
    ("Port Augusta", "SA", "5700"),
    ("Ceduna", "SA", "5690"),
    ("Whyalla", "SA", "5600"),
    ("Murray Bridge", "SA", "5253"),
    ("Mount Gambier", "SA", "5290"),
    ("Peterborough", "SA", "5422"),
    ("Launceston", "TAS", "7250"),
    ("Burnie", "TAS", "7320"),
    ("Bothwell", "TAS", "7030"),
    ("St Helens", "TAS", "7216"),
    ("Katherine", "NT", "0850"),
    ("Tennant Creek", "NT", "0860"),
    ("Jabiru", "NT", "0886"),
    ("Borroloola", "NT", "0854"),
    ("Maningrida", "NT", "0822"),
    ("Daly River", "NT", "0822"),
    ("Hume", "ACT", "2620"),
    ("Mitchell", "ACT", "2911"),
    ("Tuggeranong", "ACT", "2900"),
];

/// Names of pastoral stations and properties.
const PROPERTIES: &[&str] = &[
    "Wandoo",
    "Yarrawonga",
    "Bimbadeen",
    "Kooringal",
    "Mulga Downs",
    "Gidgee",
    "Coolabah",
    "Brigalow",
    "Belah",
    "Boonoke",
    "Tarcoola",
    "Noorama",
    "Wirrinya",
    "Nareen",
    "Yalgoo",
    "Burrawang",
    "Kalyeeda",
    "Mount Wood",
    "Karroun Hill",
    "Merriwa",
    "Toorale",
    "Nockatunga",
    "Bulloo Downs",
    "Currawinya",
    "Lake Mere",
    "Yantabulla",
    "Barcoo",
    "Tambo",
    "Isisford",
    "Malvern Hills",
    "Quilpie",
    "Windorah",
    "Eulo",
    "Thargomindah",
    "Weilmoringle",
    "Goodooga",
    "Cuttaburra",
    "Yowah",
    "Bollon",
    "Dirranbandi",
];

/// Savanna regions in the north.
const SAVANNA_REGIONS: &[(&str, &str, &str)] = &[
    ("West Arnhem", "NT", "0822"),
    ("Central Arnhem", "NT", "0822"),
    ("Fish River", "NT", "0822"),
    ("Tiwi Islands", "NT", "0822"),
    ("Gulf Country", "QLD", "4890"),
    ("Cape York", "QLD", "4895"),
    ("Kimberley", "WA", "6728"),
    ("Dampier Peninsula", "WA", "6725"),
    ("Victoria River", "NT", "0852"),
    ("Roper River", "NT", "0852"),
];

/// An ACCU Scheme method: name, method type, weight, how projects under it are named.
struct Method {
    name: &'static str,
    method_type: &'static str,
    weight: u32,
    naming: Naming,
}

#[derive(Clone, Copy)]
enum Naming {
    /// `<Property> <suffix>` on a rural property.
    Property(&'static str),
    /// `<Region> <suffix>` in the savanna north.
    Savanna,
    /// `<Town> <suffix>` at a town facility.
    Town(&'static str),
}

const METHODS: &[Method] = &[
    Method {
        name: "Human-induced regeneration of a permanent even-aged native forest",
        method_type: "Vegetation",
        weight: 22,
        naming: Naming::Property("Regeneration Project"),
    },
    Method {
        name: "Avoided clearing of native regrowth",
        method_type: "Vegetation",
        weight: 8,
        naming: Naming::Property("Avoided Clearing Project"),
    },
    Method {
        name: "Native forest from managed regrowth",
        method_type: "Vegetation",
        weight: 4,
        naming: Naming::Property("Native Forest Project"),
    },
    Method {
        name: "Reforestation by environmental or mallee plantings – FullCAM",
        method_type: "Vegetation",
        weight: 8,
        naming: Naming::Property("Environmental Plantings Project"),
    },
    Method {
        name: "Plantation forestry",
        method_type: "Vegetation",
        weight: 5,
        naming: Naming::Town("Plantation Forestry Project"),
    },
    Method {
        name: "Savanna fire management",
        method_type: "Savanna burning",
        weight: 12,
        naming: Naming::Savanna,
    },
    Method {
        name: "Landfill gas",
        method_type: "Landfill and waste",
        weight: 12,
        naming: Naming::Town("Landfill Gas Project"),
    },
    Method {
        name: "Source separated organic waste",
        method_type: "Landfill and waste",
        weight: 3,
        naming: Naming::Town("Organic Waste Diversion Project"),
    },
    Method {
        name: "Alternative waste treatment",
        method_type: "Landfill and waste",
        weight: 2,
        naming: Naming::Town("Alternative Waste Treatment Project"),
    },
    Method {
        name: "Estimating sequestration of carbon in soil using default values",
        method_type: "Agriculture",
        weight: 5,
        naming: Naming::Property("Soil Carbon Project"),
    },
    Method {
        name: "Measurement of soil carbon sequestration in agricultural systems",
        method_type: "Agriculture",
        weight: 6,
        naming: Naming::Property("Soil Carbon Project"),
    },
    Method {
        name: "Beef cattle herd management",
        method_type: "Agriculture",
        weight: 5,
        naming: Naming::Property("Herd Management Project"),
    },
    Method {
        name: "Animal effluent management",
        method_type: "Agriculture",
        weight: 2,
        naming: Naming::Town("Piggery Biogas Project"),
    },
    Method {
        name: "Industrial electricity and fuel efficiency",
        method_type: "Energy efficiency",
        weight: 4,
        naming: Naming::Town("Energy Efficiency Project"),
    },
    Method {
        name: "Commercial and public lighting",
        method_type: "Energy efficiency",
        weight: 1,
        naming: Naming::Town("Street Lighting Upgrade Project"),
    },
    Method {
        name: "Coal mine waste gas",
        method_type: "Mining, oil and gas",
        weight: 1,
        naming: Naming::Town("Coal Mine Waste Gas Project"),
    },
];

const PROPONENT_WORDS: (&[&str], &[&str]) = (
    &[
        "Mallee",
        "Murray",
        "Kimberley",
        "Coastal",
        "Southern Cross",
        "Red Earth",
        "Western",
        "Northern",
        "Gondwana",
        "Saltbush",
        "Ironbark",
        "Wattle",
        "Blackwood",
        "Tablelands",
        "Riverina",
        "Spinifex",
        "Banksia",
        "Mulga",
        "Desert Oak",
        "Brolga",
        "Emu Plains",
        "Lachlan",
        "Darling",
        "Paroo",
        "Warrego",
        "Condamine",
        "Fitzroy",
    ],
    &[
        "Carbon",
        "Land",
        "Agriculture",
        "Pastoral",
        "Environmental",
        "Climate",
        "Resources",
        "Regeneration",
        "Grazing",
        "Carbon Farming",
        "Landcare",
        "Natural Capital",
    ],
);

const GO_WORDS: (&[&str], &[&str]) = (
    &[
        "Sunraysia",
        "Coral Sea",
        "Southern Ocean",
        "Great Dividing",
        "Nullarbor",
        "Pilbara",
        "Bass Strait",
        "Snowy",
        "Gippsland",
        "Eyre",
        "Capricorn",
        "Darling Downs",
        "Goldfields",
        "Hunter",
        "Limestone Coast",
        "Tasman",
        "Top End",
        "Wheatbelt",
        "Burdekin",
        "Clarence",
    ],
    &[
        "Renewables",
        "Energy",
        "Solar",
        "Wind",
        "Power",
        "Hydrogen",
        "Clean Energy",
        "Storage",
    ],
);

/// ERF auction dates (Carbon Abatement Contracts are won at auctions).
const AUCTIONS: &[(i32, u32, u32)] = &[
    (2015, 4, 15),
    (2015, 11, 4),
    (2016, 4, 27),
    (2016, 11, 23),
    (2017, 4, 26),
    (2017, 12, 6),
    (2018, 6, 27),
    (2018, 12, 13),
    (2019, 10, 2),
    (2020, 3, 25),
    (2020, 10, 1),
    (2021, 4, 14),
    (2021, 10, 14),
    (2022, 4, 6),
    (2022, 10, 11),
    (2023, 3, 22),
    (2023, 11, 8),
    (2024, 4, 17),
    (2024, 10, 16),
    (2025, 4, 9),
    (2025, 10, 15),
];

/// `count` distinct company names of the form `<first> <second> <suffix>`.
fn company_names(
    rng: &mut StdRng,
    count: usize,
    suffixes: &[&str],
    (first, second): (&[&str], &[&str]),
) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(count);
    while names.len() < count.min(first.len() * second.len()) {
        let (Some(a), Some(b), Some(s)) =
            (first.choose(rng), second.choose(rng), suffixes.choose(rng))
        else {
            break;
        };
        let name = format!("{a} {b} {s}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// A uniformly random date in `from..=to`.
fn date_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    from.checked_add_days(Days::new(rng.random_range(0..=span)))
        .unwrap_or(from)
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], fallback: &'a T) -> &'a T {
    items.choose(rng).unwrap_or(fallback)
}

fn accu_projects(rng: &mut StdRng, proponents: &[String]) -> Vec<AccuProject> {
    let savanna_proponents: Vec<String> = SAVANNA_REGIONS
        .iter()
        .map(|(region, _, _)| format!("{region} Aboriginal Corporation"))
        .collect();
    let rural: Vec<Place> = PLACES
        .iter()
        .copied()
        .filter(|(_, state, _)| *state != "ACT")
        .collect();
    let mut number = 100_000u32;
    let mut projects = Vec::with_capacity(PROJECTS);
    for _ in 0..PROJECTS {
        number += rng.random_range(1..=240);
        let method = METHODS
            .choose_weighted(rng, |m| m.weight)
            .unwrap_or(&METHODS[0]);
        let (project_name, state, postcode, proponent) = match method.naming {
            Naming::Property(suffix) => {
                let (_, state, postcode) = *pick(rng, &rural, &PLACES[0]);
                let property = pick(rng, PROPERTIES, &PROPERTIES[0]);
                let proponent = pick(rng, proponents, &proponents[0]).clone();
                (
                    format!("{property} Station {suffix}"),
                    state,
                    postcode,
                    proponent,
                )
            }
            Naming::Savanna => {
                let index = rng.random_range(0..SAVANNA_REGIONS.len());
                let (region, state, postcode) = SAVANNA_REGIONS[index];
                let proponent = if rng.random_bool(0.6) {
                    savanna_proponents[index].clone()
                } else {
                    pick(rng, proponents, &proponents[0]).clone()
                };
                let suffix = *pick(
                    rng,
                    &["Savanna Fire Management Project", "Savanna Burning Project"],
                    &"",
                );
                (format!("{region} {suffix}"), state, postcode, proponent)
            }
            Naming::Town(suffix) => {
                let (town, state, postcode) = *pick(rng, PLACES, &PLACES[0]);
                let proponent = pick(rng, proponents, &proponents[0]).clone();
                (format!("{town} {suffix}"), state, postcode, proponent)
            }
        };
        let date_registered = date_between(rng, date(2012, 1, 1), date(2026, 6, 30));
        let years = (date(2026, 11, 1) - date_registered).num_days() as f64 / 365.0;
        let accus_total_units_issued = if years < 1.0 || rng.random_bool(0.1) {
            0
        } else {
            let per_year = 10f64.powf(rng.random_range(3.0..5.3));
            (per_year * years.min(10.0)).round() as u64
        };
        // Units issued for abatement before 2016 could be Kyoto ACCUs.
        let accus_kyoto_units_issued = if date_registered.year() < 2016 {
            (accus_total_units_issued as f64 * rng.random_range(0.0..0.4)).round() as u64
        } else {
            0
        };
        let sequestration =
            matches!(method.method_type, "Vegetation") || method.name.contains("soil carbon");
        let crediting = rng.random_bool(0.92).then(|| {
            let start = date_registered
                .checked_add_days(Days::new(rng.random_range(0..400)))
                .unwrap_or(date_registered);
            let years = if sequestration { 25 } else { 7 };
            let end = start
                .with_year(start.year() + years)
                .and_then(|d| d.pred_opt())
                .unwrap_or(start);
            (start, end)
        });
        let place = project_name
            .rsplit_once(" Station ")
            .map_or(project_name.as_str(), |(property, _)| property);
        let project_conditions: Vec<String> = [
            (0.12, "Eligible interest-holder consent"),
            (0.06, "Regulatory approvals"),
        ]
        .iter()
        .filter(|(p, _)| rng.random_bool(*p))
        .map(|(_, c)| (*c).to_owned())
        .collect();
        projects.push(AccuProject {
            project_id: if rng.random_bool(0.04) {
                // Projects transitioned from the Carbon Farming Initiative keep other IDs (format
                // made up for the seed: the contract only fixes letters then digits).
                format!("CFI{}", number / 10)
            } else {
                format!("ERF{number}")
            },
            project_description: format!(
                "{project_name}: {}, near {place}, {state}, under the \"{}\" method.",
                method.method_type.to_lowercase(),
                method.name
            ),
            project_name,
            project_proponent: proponent,
            method: method.name.to_owned(),
            method_url: method_url(method.name),
            method_type: method.method_type.to_owned(),
            state: state.to_owned(),
            postcode: postcode.to_owned(),
            date_registered,
            crediting_period_start: crediting.map(|(start, _)| start),
            crediting_period_end: crediting.map(|(_, end)| end),
            permanence_period_years: sequestration
                .then(|| if rng.random_bool(0.6) { 100 } else { 25 }),
            carbon_maintenance_obligation: sequestration && rng.random_bool(0.05),
            accus_total_units_issued,
            accus_kyoto_units_issued,
            accus_non_kyoto_units_issued: accus_total_units_issued - accus_kyoto_units_issued,
            accus_total_units_relinquished: if rng.random_bool(0.05) {
                (accus_total_units_issued as f64 * rng.random_range(0.0..0.2)).round() as u64
            } else {
                0
            },
            project_conditions,
            under_contract: false,
            contract_id: None,
            revoked: rng.random_bool(0.05),
        });
    }
    projects.sort_by(|a, b| a.project_id.cmp(&b.project_id));
    projects.dedup_by(|a, b| a.project_id == b.project_id);
    projects
}

/// The CER's page for a method, from its name.
fn method_url(name: &str) -> String {
    let slug: String = name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!(
        "https://cer.gov.au/schemes/australian-carbon-credit-unit-scheme/accu-scheme-methods/{slug}"
    )
}

/// Contracts for non-revoked projects registered before their auction, some covering several
/// projects of one proponent; sets each project's `contract_id` and `under_contract` to match.
fn contracts(rng: &mut StdRng, projects: &mut [AccuProject]) -> Vec<CarbonAbatementContract> {
    let mut candidates: Vec<usize> = (0..projects.len())
        .filter(|i| !projects[*i].revoked)
        .collect();
    candidates.shuffle(rng);
    let mut taken: HashSet<usize> = HashSet::new();
    let mut drafts: Vec<(NaiveDate, Vec<usize>)> = Vec::with_capacity(CONTRACTS);
    for &index in &candidates {
        if drafts.len() == CONTRACTS {
            break;
        }
        if taken.contains(&index) {
            continue;
        }
        let registered = projects[index].date_registered;
        let auctions: Vec<NaiveDate> = AUCTIONS
            .iter()
            .map(|(y, m, d)| date(*y, *m, *d))
            .filter(|a| *a > registered)
            .collect();
        let Some(&auction) = auctions.choose(rng) else {
            continue;
        };
        let mut covered = vec![index];
        if rng.random_bool(0.3) {
            let proponent = &projects[index].project_proponent;
            covered.extend(
                candidates
                    .iter()
                    .copied()
                    .filter(|other| {
                        *other != index
                            && !taken.contains(other)
                            && projects[*other].project_proponent == *proponent
                            && projects[*other].date_registered < auction
                    })
                    .take(2),
            );
        }
        taken.extend(covered.iter().copied());
        drafts.push((auction, covered));
    }
    drafts.sort();
    let mut contracts = Vec::with_capacity(drafts.len());
    for (n, (auction_date, covered)) in drafts.into_iter().enumerate() {
        let contract_id = format!("CAC-{:04}", n + 1);
        let mut project_ids = Vec::with_capacity(covered.len());
        for index in &covered {
            let project = &mut projects[*index];
            project.contract_id = Some(contract_id.clone());
            project.under_contract = true;
            project_ids.push(project.project_id.clone());
        }
        project_ids.sort();
        let contractor_name = projects[covered[0]].project_proponent.clone();
        let volume_committed = rng.random_range(10..=1_500) * 1_000;
        let age = (date(2026, 11, 1) - auction_date).num_days() as f64 / 365.0;
        let status = if rng.random_bool(0.08) {
            ContractStatus::Terminated
        } else if age > 7.0 && rng.random_bool(0.7) {
            ContractStatus::Completed
        } else {
            ContractStatus::Active
        };
        let volume_delivered = match status {
            ContractStatus::Completed => volume_committed,
            ContractStatus::Active => {
                let share = (age / 10.0).min(0.95) * rng.random_range(0.5..1.0);
                (volume_committed as f64 * share).round() as u64
            }
            ContractStatus::Terminated => {
                (volume_committed as f64 * rng.random_range(0.0..0.6)).round() as u64
            }
        };
        let optional_share = if auction_date.year() >= 2020 {
            0.7
        } else {
            0.2
        };
        contracts.push(CarbonAbatementContract {
            contract_id,
            contractor_name,
            project_ids,
            delivery_obligation: if rng.random_bool(optional_share) {
                "Optional delivery"
            } else {
                "Fixed delivery"
            }
            .to_owned(),
            auction_date,
            status,
            volume_committed,
            volume_delivered: volume_delivered.min(volume_committed),
        });
    }
    contracts
}

/// A kind of Guarantee of Origin profile and how large such facilities are.
struct GoKind {
    product_type: &'static str,
    profile_type: &'static str,
    energy_source: &'static str,
    facility: &'static str,
    capacity_mw: (f64, f64),
    weight: u32,
}

const GO_KINDS: &[GoKind] = &[
    GoKind {
        product_type: "Electricity",
        profile_type: "Production",
        energy_source: "Solar",
        facility: "Solar Farm",
        capacity_mw: (1.0, 400.0),
        weight: 36,
    },
    GoKind {
        product_type: "Electricity",
        profile_type: "Production",
        energy_source: "Wind",
        facility: "Wind Farm",
        capacity_mw: (20.0, 1_000.0),
        weight: 24,
    },
    GoKind {
        product_type: "Electricity",
        profile_type: "Production",
        energy_source: "Hydro",
        facility: "Hydro Power Station",
        capacity_mw: (5.0, 600.0),
        weight: 8,
    },
    GoKind {
        product_type: "Electricity",
        profile_type: "Production",
        energy_source: "Bioenergy",
        facility: "Bioenergy Facility",
        capacity_mw: (1.0, 50.0),
        weight: 6,
    },
    GoKind {
        product_type: "Hydrogen",
        profile_type: "Production",
        energy_source: "Grid and renewable",
        facility: "Green Hydrogen Hub",
        capacity_mw: (1.0, 300.0),
        weight: 8,
    },
    GoKind {
        product_type: "Electricity",
        profile_type: "Storage",
        energy_source: "Battery",
        facility: "Battery Energy Storage System",
        capacity_mw: (5.0, 850.0),
        weight: 14,
    },
    GoKind {
        product_type: "Electricity",
        profile_type: "Storage",
        energy_source: "Pumped hydro",
        facility: "Pumped Hydro Scheme",
        capacity_mw: (100.0, 2_000.0),
        weight: 4,
    },
];

fn go_profiles(rng: &mut StdRng) -> Vec<GuaranteeOfOriginProject> {
    let registrants = company_names(rng, 60, &["Pty Ltd", "Pty Ltd", "Ltd"], GO_WORDS);
    let mut profiles = Vec::with_capacity(GO_PROFILES);
    for n in 1..=GO_PROFILES {
        let kind = GO_KINDS
            .choose_weighted(rng, |k| k.weight)
            .unwrap_or(&GO_KINDS[0]);
        let (low, high) = kind.capacity_mw;
        let (town, state, _) = *pick(rng, PLACES, &PLACES[0]);
        let capacity = rng.random_range(low..high);
        let status_roll = rng.random_range(0..100);
        profiles.push(GuaranteeOfOriginProject {
            profile_id: format!("GO-{n:05}"),
            profile_name: format!("{town} {}", kind.facility),
            registered_person: pick(rng, &registrants, &registrants[0]).clone(),
            product_type: kind.product_type.to_owned(),
            profile_type: kind.profile_type.to_owned(),
            energy_source: kind.energy_source.to_owned(),
            nameplate_capacity_mw: (capacity * 10.0).round() / 10.0,
            state: state.to_owned(),
            registration_date: date_between(rng, date(2024, 11, 4), date(2026, 10, 30)),
            status: match status_roll {
                0..88 => GoProjectStatus::Registered,
                88..95 => GoProjectStatus::Suspended,
                _ => GoProjectStatus::Deregistered,
            },
        });
    }
    profiles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Faults;
    use crate::register_query::{RowQuery, as_row, order_by_id};
    use std::collections::BTreeSet;

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        assert_eq!(PublicRegisters::generate(7), PublicRegisters::generate(7));
        assert_ne!(PublicRegisters::generate(7), PublicRegisters::generate(8));
    }

    #[test]
    fn rows_are_realistic_and_consistent() {
        let registers = PublicRegisters::default();
        let projects = &registers.accu_projects;
        assert!((PROJECTS - 10..=PROJECTS).contains(&projects.len()));
        assert!(
            projects
                .windows(2)
                .all(|p| p[0].project_id < p[1].project_id),
            "ordered and unique"
        );
        assert!(projects.iter().any(|p| p.project_id.starts_with("CFI")));
        let revoked = projects.iter().filter(|p| p.revoked).count();
        assert!(
            (5..=40).contains(&revoked),
            "about 5% revoked, got {revoked}"
        );
        for p in projects {
            assert_eq!(
                p.accus_kyoto_units_issued + p.accus_non_kyoto_units_issued,
                p.accus_total_units_issued
            );
            assert_eq!(p.under_contract, p.contract_id.is_some());
        }
        let contracts = &registers.carbon_abatement_contracts;
        assert_eq!(contracts.len(), CONTRACTS);
        assert!(contracts.iter().any(|c| c.project_ids.len() > 1));
        let mut seen = BTreeSet::new();
        for contract in contracts {
            assert!(!contract.project_ids.is_empty());
            assert!(contract.volume_delivered <= contract.volume_committed);
            for project_id in &contract.project_ids {
                assert!(seen.insert(project_id), "one contract per project");
                let project = projects
                    .iter()
                    .find(|p| p.project_id == *project_id)
                    .unwrap();
                assert!(!project.revoked);
                assert_eq!(
                    project.contract_id.as_deref(),
                    Some(contract.contract_id.as_str())
                );
                assert!(project.date_registered < contract.auction_date);
            }
        }
        assert_eq!(
            projects.iter().filter(|p| p.contract_id.is_some()).count(),
            seen.len()
        );
        let profiles = &registers.guarantee_of_origin_projects;
        assert_eq!(profiles.len(), GO_PROFILES);
        assert_eq!(profiles[0].profile_id, "GO-00001");
    }

    /// The column lists are the row types' fields in order, and the seed has a row with each
    /// optional field present and one with it absent.
    #[test]
    fn columns_are_the_fields_and_every_field_is_exercised() {
        let registers = PublicRegisters::default();
        fn check<T: serde::Serialize>(columns: Columns, rows: &[T]) {
            let rows: Vec<serde_json::Value> = rows.iter().map(as_row).collect();
            let mut union: Vec<String> = Vec::new();
            for row in &rows {
                for key in row.as_object().unwrap().keys() {
                    if !union.contains(key) {
                        union.push(key.clone());
                    }
                }
            }
            let mut expected: Vec<&str> = columns.names.to_vec();
            expected.sort_unstable();
            union.sort();
            assert_eq!(union, expected);
            for column in columns.names {
                let values: BTreeSet<String> = rows
                    .iter()
                    .map(|r| r.get(*column).map(|v| v.to_string()).unwrap_or_default())
                    .collect();
                assert!(
                    values.len() > 1,
                    "{column} takes one value only: {values:?}"
                );
            }
        }
        check(ACCU_PROJECT_COLUMNS, &registers.accu_projects);
        check(CONTRACT_COLUMNS, &registers.carbon_abatement_contracts);
        check(GO_PROFILE_COLUMNS, &registers.guarantee_of_origin_projects);
    }

    #[test]
    fn filters_combine_with_and() {
        let registers = PublicRegisters::default();
        let query = RowQuery::parse(
            ACCU_PROJECT_COLUMNS,
            "state=QLD&proponent=CARBON&revoked=false&date_registered_from=2018-01-01",
            Faults::NONE,
        )
        .unwrap();
        let rows: Vec<serde_json::Value> = registers.accu_projects.iter().map(as_row).collect();
        let selected = query.select(&rows, &order_by_id(&rows, ACCU_PROJECT_COLUMNS.id));
        assert!(!selected.is_empty());
        assert!(
            selected
                .iter()
                .map(|i| &rows[*i])
                .all(|p| p["state"] == "QLD"
                    && p["revoked"] == false
                    && p["project_proponent"].as_str().unwrap().contains("Carbon")
                    && p["date_registered"].as_str().unwrap() >= "2018-01-01")
        );
    }
}
