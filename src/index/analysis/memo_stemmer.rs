//! English stemming with a memo of the words already stemmed.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// English stemming (Snowball, as Tantivy's [`Stemmer`]) with a memo of the words
/// already stemmed: digests repeat their words, and a lookup costs a fraction of the
/// algorithm. Each indexing thread has its own analyzer, hence its own memo.
#[derive(Clone, Copy)]
pub struct MemoStemmer;

/// Words remembered before the memo starts over.
const MEMO_WORDS: usize = 200_000;

/// A word of up to 15 bytes, its length in the last byte. The memo keeps words and
/// stems inline in its table: a lookup reads one slot, not two strings elsewhere on the
/// heap (which made a lookup cost half a stemming). Longer words are stemmed each time.
type Packed = [u8; 16];

fn pack(word: &str) -> Option<Packed> {
    let len = u8::try_from(word.len()).ok().filter(|&len| len < 16)?;
    let mut packed = [0; 16];
    packed[..word.len()].copy_from_slice(word.as_bytes());
    packed[15] = len;
    Some(packed)
}

fn unpack(packed: &Packed) -> Option<&str> {
    std::str::from_utf8(&packed[..usize::from(packed[15])]).ok()
}

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter { inner, memo: Default::default() }
    }
}

/// [`MemoStemmer`] around a tokenizer.
#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    memo: rustc_hash::FxHashMap<Packed, Packed>,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The token stream of [`MemoStemmerFilter`].
pub struct MemoStemmerStream<'a, S> {
    tail: S,
    memo: &'a mut rustc_hash::FxHashMap<Packed, Packed>,
    stemmer: frostem::Stemmer,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let word = pack(&token.text);
        if let Some(stem) = word.and_then(|w| self.memo.get(&w)).and_then(unpack) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if let (Some(word), Some(packed)) = (word, pack(&stem)) {
            if self.memo.len() >= MEMO_WORDS {
                self.memo.clear();
            }
            self.memo.insert(word, packed);
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::MemoStemmer;
    use crate::index::analyze;

    #[test]
    fn stems_as_the_snowball_stemmer_does_the_second_time_too() {
        // Words of every length around the 15 bytes kept inline, and multi-byte ones.
        let text = "decoding decoders decoded agents running ran memories memory decoding \
                    generalizations internationalization characterizing mémoires décodées \
                    counterexamples multiplications disentanglements";
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let mut memo =
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(MemoStemmer).build();
        let want = analyze(&mut plain, text);
        assert_eq!(want[0], "decod");
        let lengths: Vec<usize> = text.split_whitespace().map(str::len).collect();
        assert!([15, 16].iter().all(|l| lengths.contains(l)) && lengths.iter().any(|&l| l > 16));
        assert_eq!(analyze(&mut memo, text), want);
        assert_eq!(analyze(&mut memo, text), want, "from the memo");
    }
}
