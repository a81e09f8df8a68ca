//! Static assets, embedded at build time so the binary runs from any directory, and
//! served under fingerprinted names with long cache lifetimes.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::error::{Format, WebError};

struct Asset {
    name: &'static str,
    body: &'static str,
    content_type: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        body: include_str!("../../web/static/app.css"),
        content_type: "text/css; charset=utf-8",
    },
    Asset {
        name: "app.js",
        body: include_str!("../../web/static/app.js"),
        content_type: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "favicon.svg",
        body: include_str!("../../web/static/favicon.svg"),
        content_type: "image/svg+xml",
    },
];

/// The fingerprinted URL of each asset, for templates.
#[derive(Debug)]
pub struct AssetUrls {
    /// The stylesheet.
    pub css: String,
    /// The script.
    pub js: String,
    /// The icon.
    pub icon: String,
}

fn fingerprinted(asset: &Asset) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(asset.body.as_bytes());
    let (stem, ext) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
    format!("{stem}.{:08x}.{ext}", hash as u32)
}

static URLS: LazyLock<AssetUrls> = LazyLock::new(|| {
    let url = |i: usize| format!("/static/{}", fingerprinted(&ASSETS[i]));
    AssetUrls { css: url(0), js: url(1), icon: url(2) }
});

/// The asset URLs.
pub fn urls() -> &'static AssetUrls {
    &URLS
}

/// `GET /static/{name}`: a fingerprinted name is cached for a year; the plain name
/// is served too, revalidated each time.
pub async fn serve(Path(name): Path<String>) -> Result<Response, WebError> {
    for asset in ASSETS {
        let immutable = name == fingerprinted(asset);
        if immutable || name == asset.name {
            let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
            return Ok((
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
                    (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                ],
                asset.body,
            )
                .into_response());
        }
    }
    Err(WebError::not_found(Format::Html, format!("no static file `{name}`")))
}
