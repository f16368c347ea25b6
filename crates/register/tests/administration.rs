//! Administration: people added with their accounts, roles and duties changed, accounts
//! switched off, second factors reset, the protocol and its contacts replaced, retention
//! per organisation — each change in the administration log, and an organisation never
//! left without an administrator. Run against SQLite and PostgreSQL alike.

mod support;

use jiff::Timestamp;
use weerbaar_protocol::{Behaviour, Contact, Facts, Role, preset_text};
use weerbaar_register::accounts::SignIn;
use weerbaar_register::admin::{LAST_ADMINISTRATOR, OWN_ADMINISTRATION, OWN_ROLES};
use weerbaar_register::sessions::SessionLimits;
use weerbaar_register::*;

use support::world::{add_people, facts, leiden_and_westerveld, person};

const PASSWORD: &str = "een lange zin als wachtwoord";

struct World {
    register: Register,
    leiden: OrganisationId,
    other: OrganisationId,
    /// Administrator with an account, added from the command line.
    admin: PersonId,
    raadslid: PersonId,
    griffier: PersonId,
    other_raadslid: PersonId,
    other_griffier: PersonId,
    _dir: tempfile::TempDir,
}

async fn world(url: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let register = Register::open(url, MasterKey::generate())
        .await
        .unwrap()
        .with_retention_defaults(
            RetentionPolicy::default()
                .keep(CaseStatus::Afgerond, 2555)
                .unwrap(),
        );
    let (leiden, other) = leiden_and_westerveld(&register).await;
    let admin = register
        .add_person_with_account(
            &leiden,
            None,
            NewAccount {
                person: person(
                    "Bea Beheer",
                    "beheer@leiden.example",
                    vec![(Role::Ambtenaar, true)],
                ),
                duties: vec![Duty::Beheerder],
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    let [raadslid, griffier] = add_people(
        &register,
        &leiden,
        [
            person(
                "Fatima El Amrani",
                "f@leiden.example",
                vec![(Role::Raadslid, true)],
            ),
            person(
                "Jan Griffier",
                "g@leiden.example",
                vec![(Role::Griffier, true)],
            ),
        ],
    )
    .await;
    let [other_raadslid, other_griffier] = add_people(
        &register,
        &other,
        [
            person(
                "Rik Raad",
                "r@westerveld.example",
                vec![(Role::Raadslid, true)],
            ),
            person(
                "Gea Griffier",
                "g@westerveld.example",
                vec![(Role::Griffier, true)],
            ),
        ],
    )
    .await;
    World {
        register,
        leiden,
        other,
        admin,
        raadslid,
        griffier,
        other_raadslid,
        other_griffier,
        _dir: dir,
    }
}

const NARRATIVE: &str = "Een bericht met een bedreiging na de raadsvergadering.";

async fn closed_case(
    world: &World,
    organisation: &OrganisationId,
    victim: &PersonId,
    handler: &PersonId,
) -> CaseId {
    let registered = world
        .register
        .register_report(NewReport {
            organisation: organisation.clone(),
            reporter: victim.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: victim.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts: Facts {
                criminal_offence_suspected: false,
                perpetrator_known: false,
                ..facts(&[Behaviour::Beledigen])
            },
            narrative: NARRATIVE.into(),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .unwrap();
    world
        .register
        .act(
            handler,
            &registered.case,
            Action::ChangeStatus {
                to: CaseStatus::Afgerond,
            },
        )
        .await
        .unwrap();
    registered.case
}

#[track_caller]
fn invalid<T: std::fmt::Debug>(result: Result<T, RegisterError>, field: &str, reason: &str) {
    assert!(
        matches!(&result, Err(RegisterError::Invalid { field: f, reason: r }) if f == field && r == reason),
        "{result:?}"
    );
}

async fn kinds(world: &World) -> Vec<AdminEventKind> {
    world
        .register
        .admin_events(&world.leiden, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn a_person_is_added_with_account_and_logged_without_personal_data(world: World) {
    let id = world
        .register
        .add_person_with_account(
            &world.leiden,
            Some(&world.admin),
            NewAccount {
                person: person(
                    "Wim Wethouder",
                    "wim@leiden.example",
                    vec![(Role::Wethouder, true), (Role::Raadslid, false)],
                ),
                duties: vec![Duty::Privacy],
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    let summary = world.register.person(&world.leiden, &id).await.unwrap();
    assert!(summary.has_password && !summary.second_factor && !summary.disabled);
    assert_eq!(summary.duties, vec![Duty::Privacy]);
    assert_eq!(summary.roles.len(), 2);
    assert!(matches!(
        world
            .register
            .check_password(
                &world.leiden,
                "wim@leiden.example",
                PASSWORD,
                Timestamp::now()
            )
            .await
            .unwrap(),
        SignIn::Accepted {
            second_factor: false,
            ..
        }
    ));

    let events = world
        .register
        .admin_events(&world.leiden, 10)
        .await
        .unwrap();
    // Newest first: this one, then the administrator added from the command line.
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].kind, AdminEventKind::PersonAdded);
    assert_eq!(events[0].actor.as_ref(), Some(&world.admin));
    assert_eq!(events[0].actor_name.as_deref(), Some("Bea Beheer"));
    assert_eq!(events[0].subject.as_ref(), Some(&id));
    assert_eq!(events[0].subject_name.as_deref(), Some("Wim Wethouder"));
    assert_eq!(events[1].actor, None);
    let detail = events[0].detail.to_string();
    assert!(
        detail.contains("wethouder") && detail.contains("privacy"),
        "{detail}"
    );
    assert!(!detail.contains("Wim") && !detail.contains("@"), "{detail}");

    // Without a password there is no account yet.
    let later = world
        .register
        .add_person_with_account(
            &world.leiden,
            Some(&world.admin),
            NewAccount {
                person: person(
                    "Later",
                    "later@leiden.example",
                    vec![(Role::Raadslid, true)],
                ),
                duties: vec![],
                password: None,
            },
        )
        .await
        .unwrap();
    assert!(
        !world
            .register
            .person(&world.leiden, &later)
            .await
            .unwrap()
            .has_password
    );

    // A taken address, a short password, and someone who is no administrator.
    invalid(
        world
            .register
            .add_person_with_account(
                &world.leiden,
                Some(&world.admin),
                NewAccount {
                    person: person("Twee", "WIM@leiden.example", vec![(Role::Raadslid, true)]),
                    duties: vec![],
                    password: None,
                },
            )
            .await,
        "email",
        "another person already has this e-mail address",
    );
    assert!(matches!(
        world
            .register
            .add_person_with_account(
                &world.leiden,
                Some(&world.admin),
                NewAccount {
                    person: person("Kort", "kort@leiden.example", vec![(Role::Raadslid, true)]),
                    duties: vec![],
                    password: Some("kort".into()),
                },
            )
            .await,
        Err(RegisterError::Invalid { ref field, .. }) if field == "password"
    ));
    for actor in [&world.raadslid, &world.other_griffier] {
        assert!(matches!(
            world
                .register
                .add_person_with_account(
                    &world.leiden,
                    Some(actor),
                    NewAccount {
                        person: person("Nee", "nee@leiden.example", vec![(Role::Raadslid, true)]),
                        duties: vec![Duty::Beheerder],
                        password: None,
                    },
                )
                .await,
            Err(RegisterError::Forbidden { .. })
        ));
    }
    assert_eq!(
        world
            .register
            .admin_events(&world.leiden, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        world
            .register
            .admin_events(&world.other, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Issue 14: whoever is given a role that handles cases is announced at once, by a mail
/// that cannot be turned off, to everyone who handles cases now and to the privacy
/// officers (never to the person themselves), and named on their start page: an
/// administrator who makes a colleague, or an account of their own making, griffier is
/// seen. A role that does not handle cases, or a handling role held already, is no news.
async fn a_new_handler_is_announced_to_the_handlers_and_the_privacy_officer(world: World) {
    let register = &world.register;
    let since = Timestamp::now();
    let officer = register
        .add_person_with_account(
            &world.leiden,
            Some(&world.admin),
            NewAccount {
                person: person(
                    "Fenna FG",
                    "fg@leiden.example",
                    vec![(Role::Ambtenaar, true)],
                ),
                duties: vec![Duty::Privacy],
                password: None,
            },
        )
        .await
        .unwrap();
    let announced = |entries: Vec<OutboxEntry>| -> Vec<PersonId> {
        let mut to: Vec<PersonId> = entries
            .into_iter()
            .filter(|e| e.kind == MailKind::BehandelrolGegeven)
            .map(|e| e.person)
            .collect();
        to.sort();
        to
    };
    assert!(announced(register.outbox(&world.leiden, 100).await.unwrap()).is_empty());

    // The raadslid becomes griffier beside the griffier.
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.admin),
            &world.raadslid,
            &[(Role::Raadslid, true), (Role::Griffier, true)],
            &[],
        )
        .await
        .unwrap();
    let mut expected = vec![world.griffier.clone(), officer.clone()];
    expected.sort();
    assert_eq!(
        announced(register.outbox(&world.leiden, 100).await.unwrap()),
        expected
    );
    let given = register.new_handlers(&world.leiden, since).await.unwrap();
    assert_eq!(given.len(), 1, "{given:?}");
    assert_eq!(given[0].person.as_ref(), Some(&world.raadslid));
    assert_eq!(given[0].by.as_ref(), Some(&world.admin));
    assert_eq!(given[0].roles, [Role::Griffier]);
    assert_eq!(given[0].person_name.as_deref(), Some("Fatima El Amrani"));
    // Only the window asked for: nothing was given after now.
    let later = Timestamp::now() + jiff::SignedDuration::from_secs(1);
    assert!(
        register
            .new_handlers(&world.leiden, later)
            .await
            .unwrap()
            .is_empty()
    );

    // Nothing new: the same roles again, a role that handles nothing, a former griffier.
    let before = register.outbox(&world.leiden, 100).await.unwrap().len();
    for roles in [
        vec![(Role::Raadslid, true), (Role::Griffier, true)],
        vec![
            (Role::Raadslid, true),
            (Role::Griffier, true),
            (Role::Wethouder, true),
        ],
    ] {
        register
            .change_roles_and_duties(
                &world.leiden,
                Some(&world.admin),
                &world.raadslid,
                &roles,
                &[],
            )
            .await
            .unwrap();
    }
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.admin),
            &world.other_raadslid,
            &[(Role::Raadslid, true)],
            &[],
        )
        .await
        .expect_err("another organisation's person is not found");
    assert_eq!(
        register.outbox(&world.leiden, 100).await.unwrap().len(),
        before
    );
    assert_eq!(
        register
            .new_handlers(&world.leiden, since)
            .await
            .unwrap()
            .len(),
        1
    );

    // A person added as griffier is announced too: to both griffiers and the officer.
    let added = register
        .add_person_with_account(
            &world.leiden,
            Some(&world.admin),
            NewAccount {
                person: person(
                    "Nieuwe Griffier",
                    "ng@leiden.example",
                    vec![(Role::Griffier, true)],
                ),
                duties: vec![],
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    let given = register.new_handlers(&world.leiden, since).await.unwrap();
    assert_eq!(given[0].person.as_ref(), Some(&added));
    let mails = register.outbox(&world.leiden, 100).await.unwrap();
    let to_added_announcement = announced(mails).len();
    assert_eq!(
        to_added_announcement,
        2 + 3,
        "two earlier, three for the new griffier"
    );

    // The announcement cannot be turned off.
    assert!(matches!(
        register
            .set_mail_preference(
                &world.leiden,
                &world.griffier,
                MailKind::BehandelrolGegeven,
                false
            )
            .await,
        Err(RegisterError::Invalid { .. })
    ));
}

async fn roles_and_duties_change_and_an_administrator_always_remains(world: World) {
    let register = &world.register;
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.admin),
            &world.raadslid,
            &[(Role::Raadslid, false), (Role::Wethouder, true)],
            &[],
        )
        .await
        .unwrap();
    let summary = register
        .person(&world.leiden, &world.raadslid)
        .await
        .unwrap();
    assert_eq!(
        summary.roles,
        vec![(Role::Wethouder, true), (Role::Raadslid, false)]
    );
    assert_eq!(kinds(&world).await[0], AdminEventKind::RolesChanged);
    // Nothing changed: nothing logged.
    let before = kinds(&world).await.len();
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.admin),
            &world.raadslid,
            &[(Role::Raadslid, false), (Role::Wethouder, true)],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(kinds(&world).await.len(), before);

    // Nobody widens their own access: not a handler's role (with which the administrator
    // would read every case it handles), beside their own or instead of it, and not a
    // duty; nothing is written or logged.
    let before = kinds(&world).await.len();
    for (roles, duties) in [
        (
            vec![(Role::Ambtenaar, true), (Role::Griffier, true)],
            vec![Duty::Beheerder],
        ),
        (vec![(Role::Griffier, true)], vec![Duty::Beheerder]),
        (
            vec![(Role::Ambtenaar, true)],
            vec![Duty::Beheerder, Duty::Privacy],
        ),
    ] {
        invalid(
            register
                .change_roles_and_duties(
                    &world.leiden,
                    Some(&world.admin),
                    &world.admin,
                    &roles,
                    &duties,
                )
                .await,
            "roles",
            OWN_ROLES,
        );
    }
    assert_eq!(kinds(&world).await.len(), before, "a refusal logs nothing");
    let me = register.person(&world.leiden, &world.admin).await.unwrap();
    assert_eq!(me.roles, vec![(Role::Ambtenaar, true)]);
    assert_eq!(me.duties, vec![Duty::Beheerder]);

    // Not one's own duty, and not the last administrator's.
    invalid(
        register
            .change_roles_and_duties(
                &world.leiden,
                Some(&world.admin),
                &world.admin,
                &[(Role::Ambtenaar, true)],
                &[],
            )
            .await,
        "duties",
        OWN_ADMINISTRATION,
    );
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.admin),
            &world.griffier,
            &[(Role::Griffier, true)],
            &[Duty::Beheerder],
        )
        .await
        .unwrap();
    assert_eq!(kinds(&world).await[0], AdminEventKind::DutiesChanged);
    // The new administrator has no password yet, so cannot sign in: the first stays.
    invalid(
        register
            .change_roles_and_duties(
                &world.leiden,
                Some(&world.griffier),
                &world.admin,
                &[(Role::Ambtenaar, true)],
                &[],
            )
            .await,
        "duties",
        LAST_ADMINISTRATOR,
    );
    invalid(
        register
            .set_account_disabled_by(&world.leiden, Some(&world.griffier), &world.admin, true)
            .await,
        "account",
        LAST_ADMINISTRATOR,
    );
    invalid(
        register
            .set_account_disabled_by(&world.leiden, Some(&world.admin), &world.admin, true)
            .await,
        "account",
        OWN_ADMINISTRATION,
    );
    register
        .set_password_by(&world.leiden, Some(&world.admin), &world.griffier, PASSWORD)
        .await
        .unwrap();
    register
        .change_roles_and_duties(
            &world.leiden,
            Some(&world.griffier),
            &world.admin,
            &[(Role::Ambtenaar, true)],
            &[],
        )
        .await
        .unwrap();
    assert!(
        register
            .person(&world.leiden, &world.admin)
            .await
            .unwrap()
            .duties
            .is_empty()
    );
    // The former administrator can no longer administer.
    assert!(matches!(
        register
            .change_roles_and_duties(
                &world.leiden,
                Some(&world.admin),
                &world.raadslid,
                &[(Role::Raadslid, true)],
                &[]
            )
            .await,
        Err(RegisterError::Forbidden { .. })
    ));
    // A person of another organisation is not found.
    assert!(matches!(
        register
            .change_roles_and_duties(
                &world.leiden,
                Some(&world.griffier),
                &world.other_raadslid,
                &[(Role::Raadslid, true)],
                &[]
            )
            .await,
        Err(RegisterError::NotFound { .. })
    ));
}

async fn passwords_accounts_and_second_factors_end_sessions(world: World) {
    let register = &world.register;
    let now = Timestamp::now();
    let limits = SessionLimits::default();
    register
        .set_password_by(&world.leiden, Some(&world.admin), &world.griffier, PASSWORD)
        .await
        .unwrap();
    let token = register
        .start_session(&world.leiden, &world.griffier, true, now)
        .await
        .unwrap();
    register
        .set_password_by(
            &world.leiden,
            Some(&world.admin),
            &world.griffier,
            "een nieuwe lange zin",
        )
        .await
        .unwrap();
    assert!(
        register
            .session(&token, now, limits)
            .await
            .unwrap()
            .is_none()
    );

    register
        .store_second_factor(&world.leiden, &world.griffier, &[7u8; 20])
        .await
        .unwrap();
    register
        .confirm_second_factor(&world.leiden, &world.griffier)
        .await
        .unwrap();
    register
        .new_recovery_codes(&world.leiden, &world.griffier)
        .await
        .unwrap();
    assert!(
        register
            .person(&world.leiden, &world.griffier)
            .await
            .unwrap()
            .second_factor
    );
    let token = register
        .start_session(&world.leiden, &world.griffier, true, now)
        .await
        .unwrap();
    register
        .reset_second_factor(&world.leiden, Some(&world.admin), &world.griffier)
        .await
        .unwrap();
    assert!(
        !register
            .person(&world.leiden, &world.griffier)
            .await
            .unwrap()
            .second_factor
    );
    assert_eq!(
        register
            .second_factor_secret(&world.leiden, &world.griffier)
            .await
            .unwrap(),
        None
    );
    assert!(
        register
            .session(&token, now, limits)
            .await
            .unwrap()
            .is_none()
    );

    let token = register
        .start_session(&world.leiden, &world.griffier, true, now)
        .await
        .unwrap();
    register
        .set_account_disabled_by(&world.leiden, Some(&world.admin), &world.griffier, true)
        .await
        .unwrap();
    assert!(
        register
            .session(&token, now, limits)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        register
            .check_password(
                &world.leiden,
                "g@leiden.example",
                "een nieuwe lange zin",
                now
            )
            .await
            .unwrap(),
        SignIn::Disabled
    );
    register
        .set_account_disabled_by(&world.leiden, Some(&world.admin), &world.griffier, false)
        .await
        .unwrap();
    assert!(matches!(
        register
            .check_password(
                &world.leiden,
                "g@leiden.example",
                "een nieuwe lange zin",
                now
            )
            .await
            .unwrap(),
        SignIn::Accepted {
            second_factor: false,
            ..
        }
    ));
    // A person without an account has nothing to switch off or reset.
    assert!(matches!(
        register
            .reset_second_factor(&world.leiden, Some(&world.admin), &world.raadslid)
            .await,
        Err(RegisterError::NotFound {
            what: "account",
            ..
        })
    ));
    assert_eq!(
        &kinds(&world).await[..6],
        &[
            AdminEventKind::AccountEnabled,
            AdminEventKind::AccountDisabled,
            AdminEventKind::SecondFactorReset,
            AdminEventKind::PasswordSet,
            AdminEventKind::PasswordSet,
            AdminEventKind::PersonAdded,
        ]
    );
}

async fn the_protocol_and_its_contacts_are_replaced_and_cases_keep_their_plan(world: World) {
    let register = &world.register;
    let before = closed_case(&world, &world.leiden, &world.raadslid, &world.griffier).await;
    let plan_before = register
        .open_case(&world.griffier, &before)
        .await
        .unwrap()
        .plan;

    assert!(matches!(
        register.set_protocol(&world.leiden, Some(&world.admin), "id = ").await,
        Err(RegisterError::Invalid { ref field, .. }) if field == "protocol"
    ));
    assert!(matches!(
        register
            .set_protocol(
                &world.leiden,
                Some(&world.raadslid),
                preset_text("westerveld").unwrap()
            )
            .await,
        Err(RegisterError::Forbidden { .. })
    ));
    assert_eq!(register.protocol(&world.leiden).await.unwrap().id, "leiden");
    let version = register
        .set_protocol(
            &world.leiden,
            Some(&world.admin),
            preset_text("westerveld").unwrap(),
        )
        .await
        .unwrap();
    let protocol = register.protocol(&world.leiden).await.unwrap();
    assert_eq!(
        (protocol.id.as_str(), protocol.version.as_str()),
        ("westerveld", version.as_str())
    );
    assert_eq!(
        register.protocol_file(&world.leiden).await.unwrap(),
        preset_text("westerveld").unwrap()
    );
    assert_eq!(
        register
            .open_case(&world.griffier, &before)
            .await
            .unwrap()
            .plan,
        plan_before
    );

    let mut contacts = protocol.contacts.clone();
    contacts.push(Contact {
        name: "Vertrouwenspersoon".into(),
        about: Some("Voor een gesprek".into()),
        phone: Some("0521 123 456".into()),
        url: Some("https://westerveld.example/vertrouwenspersoon".into()),
        email: None,
        hours: Some("werkdagen".into()),
        role: None,
    });
    register
        .set_contacts(&world.leiden, Some(&world.admin), &contacts)
        .await
        .unwrap();
    let changed = register.protocol(&world.leiden).await.unwrap();
    assert_eq!(changed.contacts, contacts);
    assert_eq!(changed.routes, protocol.routes);
    let file = register.protocol_file(&world.leiden).await.unwrap();
    assert!(file.starts_with("# Agressieprotocol politieke ambtsdragers, gemeente Westerveld."));

    // A contact no one can reach is refused, and nothing changes.
    let mut broken = contacts.clone();
    broken.push(Contact {
        name: "Niemand".into(),
        about: None,
        phone: None,
        url: None,
        email: None,
        hours: None,
        role: None,
    });
    assert!(matches!(
        register.set_contacts(&world.leiden, Some(&world.admin), &broken).await,
        Err(RegisterError::Invalid { ref field, .. }) if field == "contacts"
    ));
    assert_eq!(register.protocol_file(&world.leiden).await.unwrap(), file);
    let events = register.admin_events(&world.leiden, 10).await.unwrap();
    assert_eq!(events[0].kind, AdminEventKind::ContactsChanged);
    assert_eq!(events[1].kind, AdminEventKind::ProtocolReplaced);
    assert_eq!(events[1].detail["from"]["id"], "leiden");
    assert_eq!(events[1].detail["to"]["id"], "westerveld");
    let log = format!("{events:?}");
    assert!(!log.contains(NARRATIVE));
}

async fn retention_is_set_per_organisation_over_the_default(world: World) {
    let register = &world.register;
    let in_force = register.retention_in_force(&world.leiden).await.unwrap();
    assert_eq!(
        in_force,
        vec![
            RetentionPeriod {
                status: CaseStatus::Afgerond,
                days: Some(2555),
                source: RetentionSource::Default
            },
            RetentionPeriod {
                status: CaseStatus::Gearchiveerd,
                days: None,
                source: RetentionSource::None
            },
        ]
    );
    let leiden_case = closed_case(&world, &world.leiden, &world.raadslid, &world.griffier).await;
    let other_case = closed_case(
        &world,
        &world.other,
        &world.other_raadslid,
        &world.other_griffier,
    )
    .await;

    register
        .set_retention_periods(
            &world.leiden,
            Some(&world.admin),
            &[
                (CaseStatus::Afgerond, Some(0)),
                (CaseStatus::Gearchiveerd, Some(3650)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        register.retention_in_force(&world.leiden).await.unwrap()[0],
        RetentionPeriod {
            status: CaseStatus::Afgerond,
            days: Some(0),
            source: RetentionSource::Organisation
        }
    );
    assert_eq!(
        register.retention_in_force(&world.other).await.unwrap()[0].source,
        RetentionSource::Default
    );
    assert!(matches!(
        register
            .set_retention_periods(
                &world.leiden,
                Some(&world.admin),
                &[(CaseStatus::Gemeld, Some(1))]
            )
            .await,
        Err(RegisterError::Invalid { .. })
    ));

    let later = Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let run = register.apply_retention_in_force(later).await.unwrap();
    assert_eq!(run.anonymised, vec![leiden_case.clone()]);
    assert!(
        register
            .open_case(&world.griffier, &leiden_case)
            .await
            .unwrap()
            .narrative
            .is_none()
    );
    assert!(
        register
            .open_case(&world.other_griffier, &other_case)
            .await
            .unwrap()
            .narrative
            .is_some()
    );

    register
        .set_retention_periods(
            &world.leiden,
            Some(&world.admin),
            &[(CaseStatus::Afgerond, None)],
        )
        .await
        .unwrap();
    let in_force = register.retention_in_force(&world.leiden).await.unwrap();
    assert_eq!(in_force[0].source, RetentionSource::Default);
    assert_eq!(in_force[1].source, RetentionSource::Organisation);
    let events = register.admin_events(&world.leiden, 10).await.unwrap();
    assert_eq!(events[0].kind, AdminEventKind::RetentionChanged);
    assert_eq!(
        events[0].detail["to"],
        serde_json::json!({ "gearchiveerd": 3650 })
    );
    assert_eq!(
        events[1].detail["to"],
        serde_json::json!({ "afgerond": 0, "gearchiveerd": 3650 })
    );
}

support::scenarios!(
    postgres_administration:
    a_person_is_added_with_account_and_logged_without_personal_data,
    roles_and_duties_change_and_an_administrator_always_remains,
    a_new_handler_is_announced_to_the_handlers_and_the_privacy_officer,
    passwords_accounts_and_second_factors_end_sessions,
    the_protocol_and_its_contacts_are_replaced_and_cases_keep_their_plan,
    retention_is_set_per_organisation_over_the_default,
);
