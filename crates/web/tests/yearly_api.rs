//! The yearly report (PROTOCOL.md §17) over the API and on the page /inzicht/jaarverslag:
//! the same figures as the register's (and so as `weerbaar report yearly --format json`),
//! only for who handles cases, who the protocol informs and the privacy officer, and a
//! bad year named as `year` (API) or `jaar` (page).

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use support::World;
use tower::ServiceExt;
use weerbaar_protocol::Role;
use weerbaar_register::duties::Duty;
use weerbaar_register::{ApiScope, NewApiToken};

struct Answer {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts a problem document of `status` and returns it.
    fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        self.json()
    }
}

async fn send(
    world: &World,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "weerbaar.test");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let request = builder
        .body(
            body.map(|b| Body::from(b.to_string()))
                .unwrap_or_else(Body::empty),
        )
        .expect("a request");
    let response = world.app.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn token_for(world: &World, someone: &support::Someone, scope: ApiScope) -> String {
    let now = jiff::Timestamp::now();
    world
        .register()
        .create_api_token(
            &someone.organisation,
            &someone.id,
            NewApiToken {
                name: String::from("test"),
                scope,
                expires_at: now + jiff::SignedDuration::from_hours(24),
            },
            now,
        )
        .await
        .expect("a token")
        .1
}

/// This year in Amsterdam, where the report counts.
fn this_year() -> i16 {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .year()
}

struct Cast {
    raadslid: support::Someone,
    griffier: support::Someone,
    privacy: support::Someone,
    admin: support::Someone,
    adviseur: support::Someone,
    raadslid_token: String,
    griffier_token: String,
}

/// A Westerveld register with people in every position, and two reports of this year
/// by the raadslid: a threat in person and an insult by e-mail.
async fn world_with_reports() -> (World, Cast) {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let privacy = world
        .person("Pim Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
        .await;
    let admin = world
        .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let adviseur = world
        .person("Vera Adviseur", &[Role::AdviseurVpt], &[], true)
        .await;
    let raadslid_token = token_for(&world, &raadslid, ApiScope::Write).await;
    let griffier_token = token_for(&world, &griffier, ApiScope::Read).await;
    let moment = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(30)).to_string();
    for (behaviour, channel) in [("dreigen_met_geweld", "in_persoon"), ("schelden", "email")] {
        let answer = send(
            &world,
            "POST",
            "/api/v1/reports",
            Some(&raadslid_token),
            Some(serde_json::json!({
                "behaviours": [behaviour],
                "occurred_at": moment,
                "channel": channel,
                "narrative": "Wat er gebeurde, in het kort.",
            })),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    (
        world,
        Cast {
            raadslid,
            griffier,
            privacy,
            admin,
            adviseur,
            raadslid_token,
            griffier_token,
        },
    )
}

#[tokio::test]
async fn the_api_gives_the_registers_figures_as_the_command_line_writes_them() {
    let (world, cast) = world_with_reports().await;
    let year = this_year();
    let answer = send(
        &world,
        "GET",
        &format!("/api/v1/reports/yearly?year={year}"),
        Some(&cast.griffier_token),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type, "application/json");
    let report = world
        .register()
        .yearly_report(&world.organisation, year, jiff::Timestamp::now())
        .await
        .unwrap();
    // Byte for byte what `weerbaar report yearly --format json` prints.
    let expected = format!("{}\n", serde_json::to_string_pretty(&report).unwrap());
    assert_eq!(answer.text, expected);
    let json = answer.json();
    assert_eq!(json["incidents"], 2);
    assert_eq!(json["year"], year);
    assert_eq!(json["organisation"], world.organisation.as_str());
    assert_eq!(json["by_victim_group"]["raad"], "<5");
    assert_eq!(json["by_channel"]["in_persoon"], "<5");
    assert_eq!(json["by_channel"]["telefoon"], 0);

    // The year before: nothing happened, so zeros, and the total a number.
    let empty = send(
        &world,
        "GET",
        &format!("/api/v1/reports/yearly?year={}", year - 1),
        Some(&cast.griffier_token),
        None,
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    let empty = empty.json();
    assert_eq!(empty["incidents"], 0);
    assert_eq!(empty["consults"], 0);
    assert!(
        empty["by_category"]
            .as_object()
            .unwrap()
            .values()
            .all(|cell| cell == 0),
        "{empty}"
    );
    assert_eq!(empty["median_days_to_close"], Value::Null);
}

#[tokio::test]
async fn handlers_informed_roles_and_the_privacy_officer_may_read_it_and_no_one_else() {
    let (world, cast) = world_with_reports().await;
    let year = this_year();
    let path = format!("/api/v1/reports/yearly?year={year}");
    for (who, someone) in [
        ("the griffier (handler)", &cast.griffier),
        ("the adviseur VPT (always informed)", &cast.adviseur),
        ("the privacy officer", &cast.privacy),
    ] {
        let token = token_for(&world, someone, ApiScope::Read).await;
        let answer = send(&world, "GET", &path, Some(&token), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{who}: {}", answer.text);
        assert_eq!(answer.json()["incidents"], 2, "{who}");
    }
    // A burgemeester handles the wethouders' reports and is informed of the raad's.
    let burgemeester = world
        .person("Bert Burgemeester", &[Role::Burgemeester], &[], true)
        .await;
    let token = token_for(&world, &burgemeester, ApiScope::Read).await;
    assert_eq!(
        send(&world, "GET", &path, Some(&token), None).await.status,
        StatusCode::OK
    );

    // The raadslid reported; an administrator keeps people and the protocol: neither
    // reads the organisation's figures, whatever the year they ask for.
    let admin_token = token_for(&world, &cast.admin, ApiScope::Admin).await;
    for (who, token) in [
        ("raadslid", &cast.raadslid_token),
        ("administrator", &admin_token),
    ] {
        for query in [format!("?year={year}"), String::from("?year=twee")] {
            let answer = send(
                &world,
                "GET",
                &format!("/api/v1/reports/yearly{query}"),
                Some(token),
                None,
            )
            .await;
            let problem = answer.problem(StatusCode::FORBIDDEN);
            assert_eq!(problem["type"], "urn:weerbaar:problem:forbidden", "{who}");
        }
    }
    // No token, or a bad one.
    send(&world, "GET", &path, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    send(&world, "GET", &path, Some("wbr_onzin"), None)
        .await
        .problem(StatusCode::UNAUTHORIZED);

    // A griffier of another organisation gets their own organisation's (empty) year.
    let elders = world
        .register()
        .create_organisation(
            "Gemeente Elders",
            weerbaar_protocol::preset_text("westerveld").unwrap(),
        )
        .await
        .unwrap();
    let stranger = world
        .person_in(
            &elders,
            "Sam Elders",
            "sam@elders.test",
            &[Role::Griffier],
            &[],
            true,
        )
        .await;
    let token = token_for(&world, &stranger, ApiScope::Read).await;
    let answer = send(&world, "GET", &path, Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["incidents"], 0);
    assert_eq!(answer.json()["organisation"], elders.as_str());
}

#[tokio::test]
async fn a_missing_or_bad_year_is_a_422_naming_year() {
    let (world, cast) = world_with_reports().await;
    for query in [
        "",
        "?year=",
        "?jaar=2025",
        "?year=1899",
        "?year=3000",
        "?year=twee",
        "?year=2025.5",
        "?year=-2025",
        "?year=99999999999",
        "?year=2024&year=2025",
    ] {
        let answer = send(
            &world,
            "GET",
            &format!("/api/v1/reports/yearly{query}"),
            Some(&cast.griffier_token),
            None,
        )
        .await;
        let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "year", "{query}: {problem}");
        assert_eq!(problem["type"], "urn:weerbaar:problem:invalid-input");
    }
    for edge in [1900, 2999] {
        let answer = send(
            &world,
            "GET",
            &format!("/api/v1/reports/yearly?year={edge}"),
            Some(&cast.griffier_token),
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{edge}: {}", answer.text);
    }
}

#[tokio::test]
async fn the_documented_schema_has_the_keys_of_a_real_report() {
    let (world, cast) = world_with_reports().await;
    let document: Value = serde_json::from_str(&weerbaar_web::openapi_json()).unwrap();
    let schema = &document["components"]["schemas"]["YearlyReport"];
    let answer = send(
        &world,
        "GET",
        &format!("/api/v1/reports/yearly?year={}", this_year()),
        Some(&cast.griffier_token),
        None,
    )
    .await;
    let report = answer.json();
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&schema["properties"]), keys(&report));
    for (name, value) in report.as_object().unwrap() {
        let Some(cells) = value.as_object() else {
            continue;
        };
        let documented = &schema["properties"][name]["properties"];
        for key in cells.keys() {
            assert!(
                documented.get(key).is_some(),
                "{name}.{key} is not documented"
            );
        }
        if name != "by_victim_group" {
            let mut required: Vec<String> = schema["properties"][name]["required"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} lists its keys as required"))
                .iter()
                .map(|k| k.as_str().unwrap().to_owned())
                .collect();
            required.sort();
            assert_eq!(required, keys(value), "{name}");
        }
    }
    let operation = &document["paths"]["/reports/yearly"]["get"];
    assert_eq!(operation["parameters"][0]["name"], "year");
    assert_eq!(operation["parameters"][0]["required"], true);
    assert_eq!(operation["parameters"][0]["schema"]["minimum"], 1900);
    assert_eq!(operation["parameters"][0]["schema"]["maximum"], 2999);
}

// --- the page ----------------------------------------------------------------------------

#[tokio::test]
async fn the_page_tells_the_year_in_sentences_and_tables_for_who_may_read_it() {
    let (world, cast) = world_with_reports().await;
    let year = this_year();
    let mut griffier = world.sign_in(&cast.griffier).await;
    let start = griffier.get("/").await;
    assert!(
        start.body.contains("href=\"/inzicht/jaarverslag\""),
        "the griffier's menu leads to it"
    );

    let page = griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains(&format!(
            "<h1 class=\"utrecht-heading-1\">Jaarverslag {year}</h1>"
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "In {year} zijn 2 incidenten gemeld. Dat is meer dan in {} (0).",
            year - 1
        )),
        "{body}"
    );
    // A figure per breakdown, with its title, chart and table; "<5" is text, not a bar.
    assert_eq!(body.matches("<figure").count(), 10);
    assert_eq!(body.matches("<figcaption").count(), 10);
    assert_eq!(body.matches("<svg class=\"wb-chart\"").count(), 10);
    assert!(body.contains("Naar kanaal"));
    assert!(
        !body.contains(" style="),
        "no style attributes: the CSP forbids them"
    );
    assert!(
        !body.contains("<rect"),
        "two incidents: every count is <5 or 0, so no bar"
    );
    assert!(
        body.contains(">&#60;5</text>") || body.contains(">&lt;5</text>"),
        "<5 is written in the chart"
    );
    assert!(!body.contains("in_persoon"), "no codes on the page");
    // The selector offers the year shown, selected.
    assert!(body.contains(&format!(
        "<option value=\"{year}\" selected>{year}</option>"
    )));

    // Without a year: last year.
    let page = griffier.get("/inzicht/jaarverslag").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Jaarverslag {}</h1>", year - 1))
    );
    assert!(
        page.body
            .contains(&format!("In {} zijn geen incidenten gemeld.", year - 1))
    );

    // A bad year: the form again, its mistake named at the field.
    for bad in ["twee", "1899", "3000"] {
        let page = griffier
            .get(&format!("/inzicht/jaarverslag?jaar={bad}"))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.body.contains("href=\"#jaar\""), "{}", page.body);
        assert!(page.body.contains("id=\"jaar-fout\""));
        assert!(
            page.body
                .contains("Kies een jaar van 1900 tot en met 2999.")
        );
        assert!(!page.body.contains("<figure"));
    }

    for someone in [&cast.privacy, &cast.adviseur] {
        let mut client = world.sign_in(someone).await;
        let page = client
            .get(&format!("/inzicht/jaarverslag?jaar={year}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    for someone in [&cast.raadslid, &cast.admin] {
        let mut client = world.sign_in(someone).await;
        let start = client.get("/").await;
        assert!(
            !start.body.contains("/inzicht/jaarverslag"),
            "no link for who may not read it"
        );
        let page = client
            .get(&format!("/inzicht/jaarverslag?jaar={year}"))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    // Not signed in: to the sign-in page, and back here after.
    let mut anonymous = support::Client::new(world.app.clone());
    let page = anonymous.get("/inzicht/jaarverslag").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location
            .unwrap_or_default()
            .starts_with("/aanmelden?terug=")
    );
}

#[tokio::test]
async fn the_griffier_downloads_the_anonymised_incidents_and_the_download_is_logged() {
    let (world, cast) = world_with_reports().await;
    let year = this_year();
    let year_text = year.to_string();
    let mut griffier = world.sign_in(&cast.griffier).await;
    let page = griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    assert!(
        page.body.contains("action=\"/inzicht/export\""),
        "the griffier is offered the download"
    );

    let file = griffier
        .post("/inzicht/export", &[("jaar", &year_text)])
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(
        file.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        file.headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"incidenten-{year}.csv\"").as_str()
    );
    assert_eq!(file.headers[header::CACHE_CONTROL], "no-store");
    // UTF-8 with a byte order mark, `;` between fields and CRLF: as Dutch Excel opens it.
    assert!(file.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = file.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with(
        "Jaar;Maand;Soort gedrag;Kanaal;Groep ambtsdragers;Soort pleger;Herhaling;Status"
    ));
    assert!(
        lines[1..]
            .iter()
            .all(|line| line.starts_with(&format!("{year};")))
    );
    assert!(text.contains(";Gemeenteraad;"), "{text}");
    assert!(
        text.contains(";Bedreiging, intimidatie;In persoon;"),
        "{text}"
    );
    assert!(text.contains(";(Non-)verbale agressie;E-mail;"), "{text}");
    assert!(!text.contains("Wat er gebeurde"), "no narrative");

    // In the administration log, as the administrator reads it.
    let mut admin = world.sign_in(&cast.admin).await;
    let log = admin.get("/beheer/logboek").await;
    assert!(
        log.body.contains(&format!(
            "Geanonimiseerde zaakgegevens van {year} gedownload (2 regels)"
        )),
        "{}",
        log.body
    );

    // Without the form's token: refused, and nothing more logged.
    let forged = griffier
        .post_exact("/inzicht/export", &[("jaar", &year_text)])
        .await;
    assert_ne!(forged.status, StatusCode::OK);
    // Those who may read the figures but handle no cases, and those who may not read
    // them at all, get no rows.
    // (The administrator is signed in once: a second-factor code is used only once.)
    let mut others = Vec::new();
    for someone in [&cast.privacy, &cast.adviseur, &cast.raadslid] {
        others.push(world.sign_in(someone).await);
    }
    for client in others.iter_mut().chain([&mut admin]) {
        let page = client
            .get(&format!("/inzicht/jaarverslag?jaar={year}"))
            .await;
        assert!(!page.body.contains("/inzicht/export"));
        let _ = client.get("/").await;
        let refused = client
            .post("/inzicht/export", &[("jaar", &year_text)])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let log = admin.get("/beheer/logboek").await;
    assert_eq!(log.body.matches("Geanonimiseerde zaakgegevens").count(), 1);
}

#[tokio::test]
async fn the_griffier_records_the_yearly_evaluation_of_the_protocol() {
    let (world, cast) = world_with_reports().await;
    let mut griffier = world.sign_in(&cast.griffier).await;
    let page = griffier.get("/protocol").await;
    assert!(page.body.contains("href=\"/protocol/evaluaties\""));
    let page = griffier.get("/protocol/evaluaties").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Er is nog geen evaluatie vastgelegd."));
    assert!(
        page.body
            .contains("<form method=\"post\" action=\"/protocol/evaluaties\"")
    );

    // Everything wrong at once: each mistake named at its field, nothing kept.
    let refused = griffier
        .post(
            "/protocol/evaluaties",
            &[
                ("gehouden_op", "2999-01-01"),
                ("deelnemers", " "),
                ("besproken", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["gehouden_op", "deelnemers", "besproken"] {
        assert!(
            refused.body.contains(&format!("href=\"#{field}\"")),
            "{field}"
        );
        assert!(
            refused.body.contains(&format!("id=\"{field}-fout\"")),
            "{field}"
        );
    }
    assert!(!refused.body.contains("href=\"#wijzigingen\""));

    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
        .to_string();
    let done = griffier
        .post(
            "/protocol/evaluaties",
            &[
                ("gehouden_op", &today),
                ("deelnemers", "Presidium en burgemeester"),
                ("besproken", "Bedreigingen via e-mail <script>"),
                ("wijzigingen", ""),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = griffier
        .get_following(done.location.as_deref().unwrap())
        .await;
    assert!(page.body.contains("De evaluatie is vastgelegd."));
    assert!(page.body.contains("Presidium en burgemeester"));
    assert!(
        page.body
            .contains("Bedreigingen via e-mail &#60;script&#62;")
            || page.body.contains("Bedreigingen via e-mail &lt;script&gt;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>"));
    assert!(page.body.contains("Geen wijzigingen."));
    assert!(page.body.contains("Vastgelegd door Greet Griffier"));

    // The adviseur and the privacy officer read it, and may not record one.
    for someone in [&cast.adviseur, &cast.privacy] {
        let mut client = world.sign_in(someone).await;
        let page = client.get("/protocol/evaluaties").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Presidium en burgemeester"));
        assert!(!page.body.contains("action=\"/protocol/evaluaties\""));
        let refused = client
            .post(
                "/protocol/evaluaties",
                &[
                    ("gehouden_op", &today),
                    ("deelnemers", "x"),
                    ("besproken", "y"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    // The raadslid and the administrator do not read it.
    for someone in [&cast.raadslid, &cast.admin] {
        let mut client = world.sign_in(someone).await;
        let page = client.get("/protocol/evaluaties").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!page.body.contains("Presidium"));
    }
    assert_eq!(
        world
            .register()
            .protocol_evaluations(&cast.griffier.organisation)
            .await
            .unwrap()
            .len(),
        1
    );
}
