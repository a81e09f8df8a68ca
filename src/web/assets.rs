//! Static assets, embedded at build time so the binary runs from any directory, and
//! served under fingerprinted names with long cache lifetimes. Data only: the handler
//! is in the router.

use std::sync::LazyLock;

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

/// The asset called `name`, its fingerprinted name or its plain one, with its
/// content type and whether the name is fingerprinted (immutable: cached for a year).
pub fn find(name: &str) -> Option<(&'static str, &'static str, bool)> {
    ASSETS.iter().find_map(|asset| {
        let immutable = name == fingerprinted(asset);
        (immutable || name == asset.name).then_some((asset.body, asset.content_type, immutable))
    })
}
