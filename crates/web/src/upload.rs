//! Forms with a file (the report with its evidence): read as multipart, every text field
//! into [`Fields`], the files apart, and the form token checked like any other post.

use axum::extract::{FromRequest, Multipart, Request};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Fields, same_token};
use crate::state::AppState;

/// A file as sent.
pub(crate) struct Upload {
    pub field: String,
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

pub(crate) struct PostedWithFiles {
    pub user: SignedIn,
    pub fields: Fields,
    pub files: Vec<Upload>,
}

impl FromRequest<AppState> for PostedWithFiles {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<PostedWithFiles, WebError> {
        let (mut parts, body) = request.into_parts();
        let user = <SignedIn as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        let request = Request::from_parts(parts, body);
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| WebError::unreadable_body(rejection.status()))?;
        let mut pairs = Vec::new();
        let mut files = Vec::new();
        // A cut-off upload, or one over the size limit, is said as what it is.
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|error| WebError::unreadable_body(error.status()))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let media_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|error| WebError::unreadable_body(error.status()))?;
                    // A file input left empty still sends a part, without name or content.
                    if !file_name.is_empty() || !bytes.is_empty() {
                        files.push(Upload {
                            field: name,
                            file_name,
                            media_type,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = field
                        .text()
                        .await
                        .map_err(|error| WebError::unreadable_body(error.status()))?;
                    pairs.push((name, text));
                }
            }
        }
        let fields = Fields::new(pairs);
        if !same_token(fields.get("csrf"), &user.session.csrf) {
            return Err(WebError::FormToken);
        }
        Ok(PostedWithFiles {
            user,
            fields,
            files,
        })
    }
}
