//! Building blocks of the test worlds, made through the public API. The scenario suites
//! reach this as `support::world`; other test files include it with
//! `#[path = "support/world.rs"] mod helpers;` (as `transfer.rs` does).
// Not every test file uses every helper.
#![allow(dead_code)]

use weerbaar_protocol::{Behaviour, Channel, Facts, Role, Victim, preset_text};
use weerbaar_register::{NewPerson, OrganisationId, PersonId, Register};

/// Creates the two organisations every world has: Gemeente Leiden under the Leiden
/// protocol (a raadslid is routed to the griffier) and Gemeente Westerveld under its own.
pub async fn leiden_and_westerveld(register: &Register) -> (OrganisationId, OrganisationId) {
    let leiden = register
        .create_organisation("Gemeente Leiden", preset_text("leiden").unwrap())
        .await
        .unwrap();
    let westerveld = register
        .create_organisation("Gemeente Westerveld", preset_text("westerveld").unwrap())
        .await
        .unwrap();
    (leiden, westerveld)
}

/// A person with an e-mail address and these roles (`true`: held now).
pub fn person(name: &str, email: &str, roles: Vec<(Role, bool)>) -> NewPerson {
    NewPerson {
        name: name.into(),
        email: Some(email.into()),
        roles,
    }
}

/// Adds the office holders of Leiden most scenarios know: a raadslid, the griffier and the
/// burgemeester, in that order.
pub async fn leiden_office_holders(register: &Register, leiden: &OrganisationId) -> [PersonId; 3] {
    add_people(
        register,
        leiden,
        [
            person(
                "Fatima El Amrani",
                "f.elamrani@leiden.example",
                vec![(Role::Raadslid, true)],
            ),
            person(
                "Jan de Griffier",
                "griffie@leiden.example",
                vec![(Role::Griffier, true)],
            ),
            person(
                "Henri Lenferink",
                "bm@leiden.example",
                vec![(Role::Burgemeester, true)],
            ),
        ],
    )
    .await
}

/// Adds `people` to `organisation`, one after the other; their ids, in the same order.
pub async fn add_people<const N: usize>(
    register: &Register,
    organisation: &OrganisationId,
    people: [NewPerson; N],
) -> [PersonId; N] {
    let mut ids = Vec::with_capacity(N);
    for person in people {
        ids.push(register.add_person(organisation, person).await.unwrap());
    }
    ids.try_into().unwrap()
}

/// The facts of a report by a raadslid, made on social media on 2 March 2026 and reported
/// the next morning, with these behaviours: a criminal offence by a known perpetrator.
pub fn facts(behaviours: &[Behaviour]) -> Facts {
    Facts {
        occurred_at: "2026-03-02T20:15:00+01:00".parse().unwrap(),
        reported_at: Some("2026-03-03T09:00:00+01:00".parse().unwrap()),
        victim: Victim {
            role: Role::Raadslid,
            former: false,
        },
        behaviours: behaviours.iter().map(|b| (*b).into()).collect(),
        channel: Channel::SocialeMedia,
        persistent: false,
        corrected_after_warning: false,
        injury: weerbaar_protocol::Injury::Geen,
        criminal_offence_suspected: true,
        perpetrator_known: true,
        prior_incidents: 0,
        damage: false,
        addressed: None,
        report_to: None,
        situation: None,
    }
}
