//! The evidence part of a form (a file, or something seen online), shared by the report,
//! the reporter's own page and the handler's evidence page: checked with Dutch messages
//! before anything is stored, then added to the case.

use weerbaar_register::{
    ALLOWED_MEDIA_TYPES, CaseId, MAX_EVIDENCE_BYTES, OnlineEvidence, PersonId, Register,
};

use crate::error::WebError;
use crate::form::{Errors, Fields};
use crate::upload::Upload;

/// Something seen online, when any of its fields is filled in.
pub(crate) fn online_evidence(fields: &Fields, errors: &mut Errors) -> Option<OnlineEvidence> {
    let platform = fields.optional("online_platform");
    let account = fields.optional("online_account");
    let url = fields.optional("online_url");
    let moment_text = fields.optional("online_moment");
    if platform.is_none() && account.is_none() && url.is_none() && moment_text.is_none() {
        return None;
    }
    if let Some(url) = &url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.add(
            "online_url",
            "Vul een volledig webadres in, beginnend met https://.",
        );
    }
    if account.is_none() && url.is_none() {
        errors.add(
            "online_account",
            "Vul het account of het webadres in van wat u online zag.",
        );
    }
    let moment = match moment_text.as_deref().map(crate::dates::parse_input) {
        Some(None) => {
            errors.add(
                "online_moment",
                "Vul in wanneer u het zag, als datum en tijd.",
            );
            None
        }
        Some(moment) => moment,
        None => None,
    };
    Some(OnlineEvidence {
        platform: platform.unwrap_or_else(|| String::from("onbekend")),
        account,
        url,
        moment,
        description: None,
    })
}

/// Refuses a file the register would not keep, before the report is stored.
pub(crate) fn check_upload(upload: &crate::upload::Upload, field: &str, errors: &mut Errors) {
    if upload.bytes.is_empty() {
        errors.add(
            field,
            "Het gekozen bestand is leeg. Kies het bestand opnieuw.",
        );
    } else if upload.bytes.len() > MAX_EVIDENCE_BYTES {
        errors.add(
            field,
            format!(
                "Het bestand is groter dan {} MB. Kies een kleiner bestand.",
                MAX_EVIDENCE_BYTES / (1024 * 1024)
            ),
        );
    } else if !ALLOWED_MEDIA_TYPES.contains(&upload.media_type.as_str()) {
        errors.add(
            field,
            "Dit soort bestand kan niet worden bewaard. Gebruik een schermafbeelding (PNG of JPEG), een pdf, een opgeslagen e-mail, een tekstbestand of een geluids- of video-opname.",
        );
    }
}

/// Adds the evidence a form sent to a case: the file (field `evidence_file`) and/or what
/// was seen online. Gives the errors to show beside the fields; empty when all was kept.
pub(crate) async fn add_from_form(
    register: &Register,
    actor: &PersonId,
    case: &CaseId,
    fields: &Fields,
    files: Vec<Upload>,
) -> Result<Errors, WebError> {
    let mut errors = Errors::default();
    let upload = files.into_iter().find(|f| f.field == "evidence_file");
    if let Some(upload) = &upload {
        check_upload(upload, "evidence_file", &mut errors);
    }
    let online = online_evidence(fields, &mut errors);
    if upload.is_none() && online.is_none() && errors.is_empty() {
        errors.add(
            "evidence_file",
            "Kies een bestand of vul in wat er online te zien was.",
        );
    }
    if !errors.is_empty() {
        return Ok(errors);
    }
    if let Some(upload) = upload
        && register
            .add_evidence_file(
                actor,
                case,
                &upload.file_name,
                &upload.media_type,
                &upload.bytes,
                fields.optional("evidence_description").as_deref(),
            )
            .await
            .is_err()
    {
        errors.add(
            "evidence_file",
            "Dit bestand kon niet worden bewaard: het is beschadigd of van een ander soort dan de naam zegt.",
        );
        return Ok(errors);
    }
    if let Some(online) = online {
        register.add_online_evidence(actor, case, online).await?;
    }
    Ok(errors)
}
