//! Words, and Chinese, Japanese and Korean text as overlapping bigrams.
//!
//! Tantivy's simple tokenizer keeps a run of letters as one token, and a run of Han
//! characters has no spaces: `我们用开源软件同步` would be one word, so `开源软件`
//! typed from the middle of it would find nothing. As Lucene's CJK analyzer does, each
//! run of CJK characters becomes its overlapping pairs (`我们 们用 用开 开源 源软 软件
//! 件同 同步`), one position apart: a query word of several characters is then the
//! phrase of its pairs, found wherever the sentence holds it, and scored by BM25. A
//! lone CJK character is kept as it is. Other text splits on what is not a letter or
//! digit, as the simple tokenizer does; mixed text (`用 rsync 同步`) works for both.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::digest::is_cjk;

/// Splits text into words and CJK bigrams (see the module comment).
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream { text, at: 0, pending_cjk: None, token: &mut self.token }
    }
}

/// The token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    text: &'a str,
    /// Where the next run starts looking.
    at: usize,
    /// Inside a CJK run: where its next pair starts, and where the run ends.
    pending_cjk: Option<(usize, usize)>,
    token: &'a mut Token,
}

impl WordStream<'_> {
    fn emit(&mut self, from: usize, to: usize) {
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
    }

    /// The next pair of a CJK run, or `false` when the run is done.
    fn next_pair(&mut self) -> bool {
        let Some((start, end)) = self.pending_cjk else { return false };
        let mut chars = self.text[start..end].char_indices();
        let first = chars.next().map_or(0, |(_, c)| c.len_utf8());
        match chars.next() {
            Some((second, c)) => {
                self.emit(start, start + second + c.len_utf8());
                self.pending_cjk = Some((start + first, end));
                // The last pair ends the run.
                if start + second + c.len_utf8() >= end {
                    self.pending_cjk = None;
                }
                true
            }
            None => {
                self.pending_cjk = None;
                false
            }
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next_pair() {
            return true;
        }
        let rest = &self.text[self.at..];
        let Some((offset, first)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.at = self.text.len();
            return false;
        };
        let start = self.at + offset;
        let cjk = is_cjk(first);
        let end = self.text[start..]
            .char_indices()
            .find(|&(_, c)| !c.is_alphanumeric() || is_cjk(c) != cjk)
            .map_or(self.text.len(), |(i, _)| start + i);
        self.at = end;
        if cjk && self.text[start..end].chars().nth(1).is_some() {
            self.pending_cjk = Some((start, end));
            return self.next_pair();
        }
        self.emit(start, end);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::WordTokenizer;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut analyzer = TextAnalyzer::from(WordTokenizer::default());
        let mut stream = analyzer.token_stream(text);
        let mut out = vec![];
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn cjk_runs_become_overlapping_pairs_one_position_apart() {
        let got: Vec<(String, usize)> =
            tokens("用开源软件，猫。").into_iter().map(|(t, p, ..)| (t, p)).collect();
        let want = [("用开", 0), ("开源", 1), ("源软", 2), ("软件", 3), ("猫", 4)];
        assert_eq!(got, want.map(|(t, p)| (t.to_string(), p)));
    }

    #[test]
    fn mixed_text_splits_both_scripts_and_keeps_offsets() {
        let text = "用 rsync 同步 Qwen3的模型";
        let got = tokens(text);
        let words: Vec<&str> = got.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(words, ["用", "rsync", "同步", "Qwen3", "的模", "模型"]);
        for (word, _, from, to) in &got {
            assert_eq!(&text[*from..*to], word);
        }
        let kana = tokens("トランスフォーマーとは");
        assert_eq!(kana[0].0, "トラ");
        assert_eq!(kana.last().unwrap().0, "とは");
    }

    #[test]
    fn other_text_splits_as_the_simple_tokenizer_does() {
        let words: Vec<String> =
            tokens("Hello, wörld! gpt-4o — 2026").into_iter().map(|t| t.0).collect();
        assert_eq!(words, ["Hello", "wörld", "gpt", "4o", "2026"]);
        assert!(tokens("").is_empty() && tokens(" ,. ").is_empty());
    }
}
