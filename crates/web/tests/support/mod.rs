//! A test world for the web layer: a real SQLite register in a temporary folder, the
//! application as a tower service, and a client that keeps cookies and form tokens and
//! signs in the way a browser does (password, then the second factor).

#![allow(dead_code)] // each test file uses a part of it

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use weerbaar_protocol::Role;
use weerbaar_register::duties::Duty;
use weerbaar_register::{MasterKey, NewPerson, OrganisationId, PersonId, Register};
use weerbaar_web::{AppState, Settings};

pub const PASSWORD: &str = "een lange zin als wachtwoord";

/// An answer as the client saw it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// The body as sent (for files).
    pub bytes: Vec<u8>,
    pub headers: axum::http::HeaderMap,
}

/// A browser without JavaScript: cookies, the last form token seen, no redirects
/// followed unless asked.
#[derive(Clone)]
pub struct Client {
    app: Router,
    cookies: HashMap<String, String>,
    pub csrf: Option<String>,
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_of(body: &str) -> Option<String> {
    let at = body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = body[at..].find('"')? + at;
    Some(body[at..end].to_owned())
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Client {
    pub fn new(app: Router) -> Client {
        Client {
            app,
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Sets a cookie as a browser that kept (or forged) it would send it.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    /// The same browser (its cookies and form token) talking to another instance of the
    /// application, as behind a load balancer.
    pub fn on(&self, app: Router) -> Client {
        Client {
            app,
            cookies: self.cookies.clone(),
            csrf: self.csrf.clone(),
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("the app answers");
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = csrf_of(&body) {
            self.csrf = Some(token);
        }
        Page {
            status,
            location,
            body,
            bytes: bytes.to_vec(),
            headers,
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "weerbaar.test");
        if !cookie.is_empty() {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self
            .request("GET", path)
            .body(Body::empty())
            .expect("a request");
        self.send(request).await
    }

    /// Follows redirects of GETs (at most ten).
    pub async fn get_following(&mut self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..10 {
            match (&page.status, &page.location) {
                (s, Some(next)) if s.is_redirection() => {
                    let next = next.clone();
                    page = self.get(&next).await;
                }
                _ => break,
            }
        }
        page
    }

    /// Posts a form with the last form token seen.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_exact(path, &all).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_exact(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with_headers(path, fields, &[]).await
    }

    /// Posts exactly these fields with extra request headers (as a browser adds `Origin`
    /// and `Sec-Fetch-Site`).
    pub async fn post_with_headers(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut builder = self.request("POST", path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(fields)))
            .expect("a request");
        self.send(request).await
    }

    /// Posts a body exactly as given, with this content type (a broken upload).
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        let request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("a request");
        self.send(request).await
    }

    /// Posts a multipart form (text fields and at most one file) with the token.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &str, &[u8])>,
    ) -> Page {
        let boundary = "weerbaar-test-grens";
        let mut body: Vec<u8> = Vec::new();
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        if let Some((name, file_name, media_type, bytes)) = file {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n").as_bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .request("POST", path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("a request");
        self.send(request).await
    }
}

/// The current TOTP code of a secret (RFC 6238, as the app computes it).
pub fn totp_now(secret: &[u8]) -> String {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .expect("a valid secret")
        .generate_current()
        .to_string()
}

/// Signs in with e-mail and password and, when asked, the code of `second_factor`.
/// Panics if the sign-in does not end signed in.
pub async fn sign_in(
    app: &Router,
    organisation: &OrganisationId,
    email: &str,
    password: &str,
    second_factor: Option<&[u8]>,
) -> Client {
    let mut client = Client::new(app.clone());
    let page = client.get("/aanmelden").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "the sign-in page: {}",
        page.body
    );
    let page = client
        .post(
            "/aanmelden",
            &[
                ("organisation", organisation.as_str()),
                ("email", email),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "sign-in of {email} refused: {}",
        page.body
    );
    let next = page.location.clone().unwrap_or_default();
    if next.starts_with("/aanmelden/code") {
        let secret = second_factor.expect("a second factor is asked for");
        let page = client.get(&next).await;
        assert_eq!(page.status, StatusCode::OK);
        let code = totp_now(secret);
        let page = client
            .post("/aanmelden/code", &[("code", &code), ("terug", "/")])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "the code of {email} was refused: {}",
            page.body
        );
    } else {
        assert!(
            !next.starts_with("/aanmelden"),
            "{email} was sent to {next}"
        );
    }
    // A page of the signed-in person, for its form token.
    let page = client.get("/").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "{email} is not signed in: {}",
        page.body
    );
    client
}

/// A register in a temporary folder with one organisation under `preset`.
pub struct World {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub app: Router,
    pub organisation: OrganisationId,
}

/// Someone of the world with their sign-in.
#[derive(Clone)]
pub struct Someone {
    pub id: PersonId,
    pub organisation: OrganisationId,
    pub email: String,
    pub second_factor: Option<Vec<u8>>,
}

impl World {
    pub async fn new(preset: &str) -> World {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let register = Register::open(&url, MasterKey::generate())
            .await
            .expect("a register")
            .with_evidence_dir(dir.path().join("evidence"));
        let text = weerbaar_protocol::preset_text(preset).expect("a preset");
        let organisation = register
            .create_organisation("Gemeente Test", text)
            .await
            .expect("an organisation");
        let state = AppState::new(register, Settings::default());
        let app = weerbaar_web::router(state.clone());
        let world = World {
            dir,
            state,
            app,
            organisation,
        };
        // An administrator exists, as after setup: otherwise every page leads to setup.
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

    /// As [`World::new`], with the server's settings given (`public_url`, `oidc`, …).
    pub async fn with_settings(preset: &str, settings: Settings) -> World {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let register = Register::open(&url, MasterKey::generate())
            .await
            .expect("a register")
            .with_evidence_dir(dir.path().join("evidence"));
        let text = weerbaar_protocol::preset_text(preset).expect("a preset");
        let organisation = register
            .create_organisation("Gemeente Test", text)
            .await
            .expect("an organisation");
        let state = AppState::new(register, settings);
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

    pub fn register(&self) -> &Register {
        self.state.register()
    }

    /// Adds a person with a password and, when `second_factor`, a confirmed TOTP secret.
    pub async fn person(
        &self,
        name: &str,
        roles: &[Role],
        duties: &[Duty],
        second_factor: bool,
    ) -> Someone {
        let email = format!("{}@gemeente.test", name.to_lowercase().replace(' ', "."));
        self.person_in(
            &self.organisation,
            name,
            &email,
            roles,
            duties,
            second_factor,
        )
        .await
    }

    pub async fn person_in(
        &self,
        organisation: &OrganisationId,
        name: &str,
        email: &str,
        roles: &[Role],
        duties: &[Duty],
        second_factor: bool,
    ) -> Someone {
        let register = self.register();
        let id = register
            .add_person(
                organisation,
                NewPerson {
                    name: name.to_owned(),
                    email: Some(email.to_owned()),
                    roles: roles.iter().map(|r| (*r, true)).collect(),
                },
            )
            .await
            .expect("a person");
        register
            .set_password(organisation, &id, PASSWORD)
            .await
            .expect("a password");
        if !duties.is_empty() {
            register
                .set_duties(organisation, &id, duties)
                .await
                .expect("duties");
        }
        let second_factor = if second_factor {
            let secret = vec![7u8; 20];
            register
                .store_second_factor(organisation, &id, &secret)
                .await
                .expect("a secret");
            register
                .confirm_second_factor(organisation, &id)
                .await
                .expect("confirmed");
            Some(secret)
        } else {
            None
        };
        Someone {
            id,
            organisation: organisation.clone(),
            email: email.to_owned(),
            second_factor,
        }
    }

    pub async fn sign_in(&self, someone: &Someone) -> Client {
        sign_in(
            &self.app,
            &someone.organisation,
            &someone.email,
            PASSWORD,
            someone.second_factor.as_deref(),
        )
        .await
    }
}
