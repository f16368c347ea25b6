//! `/metrics`: off by default, behind its bearer token when one is set, counting requests
//! by route template (never the path asked for) and the overdue tasks per organisation.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use support::{Client, World};
use tower::ServiceExt;
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::duties::Duty;
use weerbaar_register::{MasterKey, NewReport, NewVictim, Register, Relation};
use weerbaar_web::{AppState, MetricsSettings, Settings};

const TOKEN: &str = "meet-token-0123456789";

async fn world(metrics: Option<MetricsSettings>) -> World {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let register = Register::open(&url, MasterKey::generate())
        .await
        .expect("a register")
        .with_evidence_dir(dir.path().join("evidence"));
    let text = weerbaar_protocol::preset_text("westerveld").expect("a preset");
    let organisation = register
        .create_organisation("Gemeente Test", text)
        .await
        .expect("an organisation");
    let state = AppState::new(
        register,
        Settings {
            metrics,
            ..Settings::default()
        },
    );
    let app = weerbaar_web::router(state.clone());
    let world = World {
        dir,
        state,
        app,
        organisation,
    };
    world
        .person(
            "Eerste Beheerder",
            &[Role::Ambtenaar],
            &[Duty::Beheerder],
            true,
        )
        .await;
    world
}

async fn scrape(world: &World, token: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::builder().uri("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = world
        .app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let world = world(None).await;
    let (status, _) = scrape(&world, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_ask_for_their_token() {
    let world = world(Some(MetricsSettings {
        token: Some(TOKEN.to_owned()),
    }))
    .await;
    assert_eq!(scrape(&world, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&world, Some("meet-token-fout")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = scrape(&world, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("weerbaar_build_info"), "{body}");
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_nothing_personal_shows() {
    let world = world(Some(MetricsSettings::default())).await;
    let raadslid = world
        .person("Rik Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let registered = world
        .register()
        .register_report(NewReport {
            organisation: world.organisation.clone(),
            reporter: raadslid.id.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: raadslid.id.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts: Facts {
                occurred_at: Timestamp::now() - SignedDuration::from_hours(3),
                reported_at: None,
                victim: Victim {
                    role: Role::Raadslid,
                    former: false,
                },
                behaviours: vec![Behaviour::DreigenMetGeweld.into()],
                channel: Channel::InPersoon,
                persistent: false,
                corrected_after_warning: false,
                injury: Injury::Geen,
                criminal_offence_suspected: true,
                perpetrator_known: false,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            },
            narrative: String::from("Een geheim verhaal over de bushalte."),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .expect("a report");
    let mut client = world.sign_in(&raadslid).await;
    let case_path = format!("/mijn-meldingen/{}", registered.case);
    let page = client.get(&case_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut stranger = Client::new(world.app.clone());
    stranger
        .get("/bestaat/niet/rik.raadslid@gemeente.test")
        .await;

    let (status, body) = scrape(&world, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(
            "weerbaar_http_requests_total{method=\"GET\",route=\"/mijn-meldingen/{case}\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "weerbaar_http_requests_total{method=\"POST\",route=\"/aanmelden\",status=\"303\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains("route=\"(geen route)\",status=\"404\""),
        "{body}"
    );
    assert!(
        body.contains("weerbaar_http_request_duration_seconds_count{method=\"GET\",route=\"/mijn-meldingen/{case}\"} 1"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "weerbaar_overdue_tasks{{organisation=\"{}\"}} 0",
            world.organisation.as_str()
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "weerbaar_outbox_mails{{organisation=\"{}\",state=\"failed\"}} 0",
            world.organisation.as_str()
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "weerbaar_outbox_mails{{organisation=\"{}\",state=\"queued\"}}",
            world.organisation.as_str()
        )),
        "{body}"
    );
    for secret in [
        registered.case.to_string(),
        String::from("rik.raadslid"),
        String::from("Rik"),
        String::from("bushalte"),
    ] {
        assert!(!body.contains(&secret), "{secret} in {body}");
    }

    // A year on, the case's tasks are overdue.
    let counts = world
        .register()
        .overdue_tasks_per_organisation(Timestamp::now() + SignedDuration::from_hours(24 * 400))
        .await
        .expect("counted");
    assert_eq!(counts.len(), 1);
    assert!(counts[0].1 > 0, "{counts:?}");
}
