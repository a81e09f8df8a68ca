//! A token filter for model names: `qwen2` is also found as `qwen`.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// For a token of 4+ letters followed by digits (`qwen2`, `llama3`), also emits the
/// letters (`qwen`, `llama`) at the same position. Shorter prefixes (`int4`, `gpt4`)
/// stay whole, so acronyms with numbers keep their meaning.
#[derive(Clone, Copy)]
pub struct LetterPrefix;

impl TokenFilter for LetterPrefix {
    type Tokenizer<T: Tokenizer> = LetterPrefixFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> LetterPrefixFilter<T> {
        LetterPrefixFilter { inner }
    }
}

/// [`LetterPrefix`] around a tokenizer.
#[derive(Clone)]
pub struct LetterPrefixFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for LetterPrefixFilter<T> {
    type TokenStream<'a> = LetterPrefixStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LetterPrefixStream { tail: self.inner.token_stream(text), pending: None, current: None }
    }
}

/// The token stream of [`LetterPrefixFilter`].
pub struct LetterPrefixStream<S> {
    tail: S,
    pending: Option<Token>,
    current: Option<Token>,
}

impl<S: TokenStream> TokenStream for LetterPrefixStream<S> {
    fn advance(&mut self) -> bool {
        self.current = None;
        if let Some(extra) = self.pending.take() {
            self.current = Some(extra);
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        let letters = token.text.find(|c: char| !c.is_alphabetic()).unwrap_or(token.text.len());
        if letters >= 4 && token.text[letters..].starts_with(|c: char| c.is_ascii_digit()) {
            self.pending = Some(Token { text: token.text[..letters].to_string(), ..token.clone() });
        }
        true
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match &mut self.current {
            Some(token) => token,
            None => self.tail.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use crate::index::{analyze, query_analyzer, text_analyzer};

    fn with_positions(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = vec![];
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn model_names_are_also_indexed_by_their_letters() {
        let got = with_positions(
            text_analyzer(),
            "Qwen2-7B beats llama3 and GLM-5 at INT4 via llama.cpp",
        );
        let want = [
            ("qwen2", 0),
            ("qwen", 0),
            ("7b", 1),
            ("beat", 2),
            ("llama3", 3),
            ("llama", 3),
            ("and", 4),
            ("glm", 5),
            ("5", 6),
            ("at", 7),
            ("int4", 8),
            ("via", 9),
            ("llama", 10),
            ("cpp", 11),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(got, want);
        assert_eq!(analyze(&mut query_analyzer(), "Qwen3 gpt-4o"), ["qwen3", "gpt", "4o"]);
    }
}
