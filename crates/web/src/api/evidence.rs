//! Evidence of a case over the API: the list (what each piece is, never a file's
//! content), adding a file (`multipart/form-data`) or something seen online (JSON), and
//! downloading one file. The pages' rules: the handler and the readers the handler let in
//! list and download (the reporter and victims have their own view: 403; anyone else
//! 404); the handler, the reporter and the victims add. The checks are the pages'
//! (`evidence_form`), the download is the page's answer (`pages::case_files`), and every
//! read is the register's, recorded on the case's timeline as the pages' reads are.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    ApiScope, CaseId, EvidenceDetails, EvidenceId, EvidenceKind, EvidenceSummary, RegisterError,
};

use super::bearer::ApiUser;
use super::problem::{FieldProblem, Problem};
use super::schema::*;
use crate::form::{Errors, Fields};
use crate::state::AppState;
use crate::upload::Upload;

/// What the pages let list and download evidence: the handler and granted readers. The
/// reporter and victims know the case (403); informed roles and strangers get 404, as on
/// `/zaken/{id}/bewijs`.
async fn reader(state: &AppState, user: &ApiUser, case: &CaseId) -> Result<(), Problem> {
    user.require(ApiScope::Read)?;
    match state.register().case_access(&user.me.person, case).await? {
        CaseAccess::Handler | CaseAccess::Granted => Ok(()),
        CaseAccess::Own => Err(Problem::forbidden(
            "De melder en wie geraakt is zien hun eigen melding; de bewijslijst is voor de behandelaar.",
        )),
        CaseAccess::Informed | CaseAccess::None => Err(Problem::not_found()),
    }
}

/// Who may add evidence: the handler, and the reporter or a victim to their own case. A
/// reader the handler let in reads only (403); anyone else 404.
async fn adder(state: &AppState, user: &ApiUser, case: &CaseId) -> Result<(), Problem> {
    user.require(ApiScope::Write)?;
    match state.register().case_access(&user.me.person, case).await? {
        CaseAccess::Handler | CaseAccess::Own => Ok(()),
        CaseAccess::Granted => Err(Problem::forbidden(
            "U mag deze melding lezen, maar er geen bewijs aan toevoegen.",
        )),
        CaseAccess::Informed | CaseAccess::None => Err(Problem::not_found()),
    }
}

/// Something seen online, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OnlineOut {
    /// Where it was seen: X, Facebook, a forum …
    pub platform: String,
    pub account: Option<String>,
    pub url: Option<String>,
    /// When it was posted or seen.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub moment: Option<Timestamp>,
}

/// A piece of evidence: what it is, never the file's content.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EvidenceOut {
    pub id: String,
    /// `file` (download it at `/cases/{case}/evidence/{id}`) or `online`.
    #[schema(value_type = EvidenceKindCode)]
    pub kind: EvidenceKind,
    /// For a file: its name as it was given.
    pub file_name: Option<String>,
    /// For a file: its media type.
    pub media_type: Option<String>,
    /// For a file: its size in bytes.
    pub size: Option<u64>,
    /// For a file: the SHA-256 of its content, in hex.
    pub sha256: Option<String>,
    pub description: Option<String>,
    /// For something seen online.
    pub online: Option<OnlineOut>,
    pub added_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub added_at: Timestamp,
}

impl From<EvidenceSummary> for EvidenceOut {
    fn from(e: EvidenceSummary) -> EvidenceOut {
        let description = e.description().map(str::to_owned);
        let file_name = e.file_name().map(str::to_owned);
        let online = match e.details {
            EvidenceDetails::Online(online) => Some(OnlineOut {
                platform: online.platform,
                account: online.account,
                url: online.url,
                moment: online.moment,
            }),
            EvidenceDetails::File { .. } => None,
        };
        EvidenceOut {
            id: e.id.to_string(),
            kind: e.kind,
            file_name,
            media_type: e.media_type,
            size: e.size,
            sha256: e.sha256,
            description,
            online,
            added_by: e.added_by.to_string(),
            added_at: e.added_at,
        }
    }
}

/// The evidence of a case, oldest first (the list is a read, on the case's timeline).
#[utoipa::path(
    get,
    path = "/cases/{case}/evidence",
    tag = "evidence",
    params(("case" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "The evidence, oldest first: what each piece is, without content. Listing it is an event on the case's timeline.", body = Vec<EvidenceOut>),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The case's reporter or a victim, who see their own view and not this list.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business (informed roles too, as on the page).", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
) -> Result<Json<Vec<EvidenceOut>>, Problem> {
    let case = CaseId(case);
    reader(&state, &user, &case).await?;
    let evidence = state
        .register()
        .evidence_list(&user.me.person, &case)
        .await?;
    Ok(Json(evidence.into_iter().map(Into::into).collect()))
}

/// Download one evidence file.
#[utoipa::path(
    get,
    path = "/cases/{case}/evidence/{evidence}",
    tag = "evidence",
    params(
        ("case" = String, Path, description = "The case's id."),
        ("evidence" = String, Path, description = "The file's id, from the list."),
    ),
    responses(
        // The 200 is written by `EvidenceDownload`: one content type per media type the
        // register keeps.
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The case's reporter or a victim.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or file (something seen online has no file), or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn download(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, evidence)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let case = CaseId(case);
    reader(&state, &user, &case).await?;
    let (summary, bytes) = match state
        .register()
        .read_evidence_file(&user.me.person, &case, &EvidenceId(evidence))
        .await
    {
        Ok(file) => file,
        // Something seen online has no file to download.
        Err(RegisterError::Invalid { .. }) => return Err(Problem::not_found()),
        Err(other) => return Err(other.into()),
    };
    Ok(crate::pages::case_files::evidence_file_response(
        &summary, bytes,
    ))
}

/// The download's 200: the file as stored, in the media type it was added with, as an
/// attachment. Written here from the register's list of media types, so the document
/// cannot drift from what is served.
pub(crate) struct EvidenceDownload;

impl utoipa::Modify for EvidenceDownload {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
        use utoipa::openapi::{ContentBuilder, ResponseBuilder};
        let Some(item) = openapi
            .paths
            .paths
            .get_mut("/cases/{case}/evidence/{evidence}")
        else {
            return;
        };
        let Some(operation) = item.get.as_mut() else {
            return;
        };
        let mut response = ResponseBuilder::new().description(
            "The file, as an attachment (`Content-Disposition: attachment`), in the media type it was added with. Reading it is an event on the case's timeline.",
        );
        for media_type in weerbaar_register::ALLOWED_MEDIA_TYPES {
            let schema = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Binary,
                )))
                .build();
            response = response.content(
                *media_type,
                ContentBuilder::new().schema(Some(schema)).build(),
            );
        }
        operation
            .responses
            .responses
            .insert(String::from("200"), response.build().into());
    }
}

/// Something seen online, to add as evidence (as on the pages: the account or the URL,
/// or both).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OnlineIn {
    /// Where it was seen: X, Facebook, a forum …; `onbekend` when left out.
    pub platform: Option<String>,
    /// The account that posted it.
    pub account: Option<String>,
    /// Where it can be found: `https://…` or `http://…`.
    pub url: Option<String>,
    /// When it was posted or seen, RFC 3339 with an offset.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub moment: Option<Timestamp>,
    pub description: Option<String>,
}

/// A file to add as evidence (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub(crate) struct FileIn {
    /// The file, with its name and its `Content-Type` (a screenshot, a pdf, a saved
    /// e-mail, a text file, a recording; at most 25 MiB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What it shows.
    description: Option<String>,
}

/// What an addition made.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedEvidence {
    pub id: String,
}

/// The field names of the page's evidence form, as the API names them.
fn api_field(page_field: &str) -> String {
    page_field
        .strip_prefix("online_")
        .unwrap_or(page_field)
        .to_owned()
}

fn problems(errors: &Errors) -> Problem {
    Problem::invalid(
        errors
            .list()
            .iter()
            .map(|(field, detail)| FieldProblem {
                field: api_field(field),
                detail: detail.clone(),
            })
            .collect(),
    )
}

/// Add evidence: a file (`multipart/form-data`, the part `file` and an optional
/// `description`), or something seen online (JSON).
#[utoipa::path(
    post,
    path = "/cases/{case}/evidence",
    tag = "evidence",
    params(("case" = String, Path, description = "The case's id.")),
    request_body(
        description = "A file as `multipart/form-data` (the part `file`, with its name and `Content-Type`, and an optional `description`), or something seen online as JSON.",
        content(
            (FileIn = "multipart/form-data"),
            (OnlineIn = "application/json"),
        )
    ),
    responses(
        (status = 201, description = "The evidence is kept; `Location` names a file's download.", body = CreatedEvidence),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader the handler let in (who may not add), or a token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The request is larger than a file may be (25 MiB).", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither `multipart/form-data` nor JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file or a field is refused (empty, too large, a kind the register does not keep, content that is not what its type says; a URL that is not one); `errors` names it.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn add(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    request: Request,
) -> Result<Response, Problem> {
    let case = CaseId(case);
    // The access first: whoever may not add learns nothing from what they sent.
    adder(&state, &user, &case).await?;
    let essence = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    let id = if essence.as_deref() == Some("multipart/form-data") {
        add_file(&state, &user, &case, request).await?
    } else {
        let headers = request.headers().clone();
        let body = axum::body::to_bytes(request.into_body(), super::MAX_BODY_BYTES)
            .await
            .map_err(|_| Problem::of_status(StatusCode::PAYLOAD_TOO_LARGE))?;
        let input: OnlineIn = super::json::parse(&headers, &body)?;
        add_online(&state, &user, &case, input).await?
    };
    let mut response = (
        StatusCode::CREATED,
        Json(CreatedEvidence {
            id: id.0.to_string(),
        }),
    )
        .into_response();
    if id.1
        && let Ok(location) =
            HeaderValue::from_str(&format!("{}/cases/{case}/evidence/{}", super::PREFIX, id.0))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Reads the multipart body: one part `file` with a file name, an optional `description`;
/// any other part is refused, as unknown fields of a JSON body are.
async fn add_file(
    state: &AppState,
    user: &ApiUser,
    case: &CaseId,
    request: Request,
) -> Result<(EvidenceId, bool), Problem> {
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::of_status(StatusCode::PAYLOAD_TOO_LARGE)
        } else {
            Problem::field("(document)", "not a readable multipart/form-data body")
        }
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| Problem::field("(document)", "not a readable multipart/form-data body"))?;
    let mut upload: Option<Upload> = None;
    let mut description: Option<String> = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if upload.is_none() => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await.map_err(unreadable)?;
                upload = Some(Upload {
                    field: name,
                    file_name,
                    media_type,
                    bytes: bytes.to_vec(),
                });
            }
            "file" => return Err(Problem::field("file", "one file per request")),
            "description" if description.is_none() => {
                description = Some(field.text().await.map_err(unreadable)?);
            }
            "description" => return Err(Problem::field("description", "given twice")),
            other => {
                return Err(Problem::field(
                    other,
                    "unknown part; expected `file` and `description`",
                ));
            }
        }
    }
    let Some(upload) = upload else {
        return Err(Problem::field(
            "file",
            "Stuur het bestand mee in het deel `file`, met een bestandsnaam.",
        ));
    };
    let mut errors = Errors::default();
    crate::evidence_form::check_upload(&upload, "file", &mut errors);
    if !errors.is_empty() {
        return Err(problems(&errors));
    }
    let file_name = if upload.file_name.trim().is_empty() {
        String::from("bewijs")
    } else {
        upload.file_name.clone()
    };
    match state
        .register()
        .add_evidence_file(
            &user.me.person,
            case,
            &file_name,
            &upload.media_type,
            &upload.bytes,
            description.as_deref(),
        )
        .await
    {
        Ok(id) => Ok((id, true)),
        // The content is not what its type says (or is otherwise refused).
        Err(RegisterError::Invalid { reason, .. }) => Err(Problem::field(
            "file",
            format!("Dit bestand kon niet worden bewaard: {reason}"),
        )),
        Err(other) => Err(other.into()),
    }
}

/// Something seen online, checked as the pages check it.
async fn add_online(
    state: &AppState,
    user: &ApiUser,
    case: &CaseId,
    input: OnlineIn,
) -> Result<(EvidenceId, bool), Problem> {
    // The page's check reads form fields: the same fields, by the page's names. The
    // moment goes in as Dutch time (the page's input) to be checked for presence; the
    // moment kept is the one given, to the second.
    let moment_text = input.moment.map(|m| {
        weerbaar_protocol::calendar::in_amsterdam(m)
            .datetime()
            .to_string()
    });
    let pairs = [
        ("online_platform", input.platform),
        ("online_account", input.account),
        ("online_url", input.url),
        ("online_moment", moment_text),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| (name.to_owned(), value)))
    .collect();
    let mut errors = Errors::default();
    let online = crate::evidence_form::online_evidence(&Fields::new(pairs), &mut errors);
    if !errors.is_empty() {
        return Err(problems(&errors));
    }
    let Some(mut online) = online else {
        return Err(Problem::field(
            "account",
            "Vul het account of het webadres (url) in van wat er online te zien was, of stuur een bestand.",
        ));
    };
    online.moment = input.moment;
    online.description = input.description.filter(|d| !d.trim().is_empty());
    let id = state
        .register()
        .add_online_evidence(&user.me.person, case, online)
        .await?;
    Ok((id, false))
}
