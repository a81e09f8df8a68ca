//! Query-string parameters -> a [`SearchRequest`], with a 400 that names the parameter
//! for anything out of range. Repeatable: `topic`, `source`; unknown parameters are
//! ignored.

use chrono::NaiveDate;

use super::error::{Format, WebError};
use crate::search::{Group, MAX_PER_PAGE, Mode, SearchRequest, Sort};

/// The parameters of a search, as sent.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (invalid percent-encoding and UTF-8 are read lossily).
    pub fn parse(raw: Option<&str>) -> Params {
        Params(url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect())
    }

    /// Parameters given as names and values (the MCP tools' arguments).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// The single value of a parameter; a 400 when it is given twice.
    pub fn one(&self, format: Format, name: &str) -> Result<Option<&str>, WebError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(WebError::bad_parameter(format, name, "given more than once"));
        }
        Ok(first)
    }

    /// Every value of a repeatable parameter.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn number(
        &self,
        format: Format,
        name: &str,
        default: usize,
        max: usize,
    ) -> Result<usize, WebError> {
        match self.one(format, name)? {
            None | Some("") => Ok(default),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(WebError::bad_parameter(
                    format,
                    name,
                    format!("must be a whole number from 1 to {max}, not `{v}`"),
                )),
            },
        }
    }

    fn date(&self, format: Format, name: &str) -> Result<Option<NaiveDate>, WebError> {
        match self.one(format, name)? {
            None | Some("") => Ok(None),
            Some(v) => v.trim().parse::<NaiveDate>().map(Some).map_err(|_| {
                WebError::bad_parameter(format, name, format!("`{v}` is not a date (YYYY-MM-DD)"))
            }),
        }
    }

    /// A yes/no parameter: `true`/`1`/`yes` or `false`/`0`/`no` (absent: no).
    fn flag(&self, format: Format, name: &str) -> Result<bool, WebError> {
        match self.one(format, name)?.map(str::trim) {
            None | Some("" | "false" | "0" | "no") => Ok(false),
            Some("true" | "1" | "yes") => Ok(true),
            Some(v) => Err(WebError::bad_parameter(
                format,
                name,
                format!("must be true or false, not `{v}`"),
            )),
        }
    }

    /// The search the parameters ask for.
    pub fn request(&self, format: Format, default_group: Group) -> Result<SearchRequest, WebError> {
        let sort = match self.one(format, "sort")? {
            None | Some("") => None,
            Some(v) => {
                Some(v.parse::<Sort>().map_err(|e| WebError::bad_parameter(format, "sort", e))?)
            }
        };
        let group = match self.one(format, "group")? {
            None | Some("") => default_group,
            Some(v) => {
                v.parse::<Group>().map_err(|e| WebError::bad_parameter(format, "group", e))?
            }
        };
        let mode = match self.one(format, "mode")? {
            None | Some("") => Mode::default(),
            Some(v) => v.parse::<Mode>().map_err(|e| WebError::bad_parameter(format, "mode", e))?,
        };
        let from = self.date(format, "from")?;
        let to = self.date(format, "to")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(WebError::bad_parameter(
                format,
                "from",
                format!("{f} is after `to` ({t})"),
            ));
        }
        Ok(SearchRequest {
            q: self.one(format, "q")?.unwrap_or("").to_string(),
            topics: self.all("topic"),
            sources: self.all("source"),
            tags: self.all("tag"),
            from,
            to,
            sort,
            page: self.number(format, "page", 1, crate::search::MAX_PAGE)?,
            per_page: self.number(format, "per_page", 10, MAX_PER_PAGE)?,
            group,
            exact: self.flag(format, "exact")?,
            mode,
            ..SearchRequest::default()
        })
    }
}
