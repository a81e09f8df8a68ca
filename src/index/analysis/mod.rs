//! The analyzers: how text becomes terms, at indexing and at query time. Each custom
//! filter has a file of its own; [`analyze`] runs an analyzer over a text.

mod cjk;
mod letter_prefix;
mod memo_stemmer;

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, TextAnalyzerBuilder, Tokenizer,
};

pub use self::cjk::WordTokenizer;
pub use self::letter_prefix::LetterPrefix;
pub use self::memo_stemmer::MemoStemmer;

/// The analyzer of text fields: see [`text_analyzer`].
pub const TEXT_ANALYZER: &str = "archive_text";
/// The analyzer of the suggestion dictionary: words, lower-cased, not stemmed.
pub const WORDS_ANALYZER: &str = "archive_words";
/// The analyzer of exact fields (topics, sources...): the whole value, lower-cased.
pub const KEYWORD_ANALYZER: &str = "archive_keyword";

/// Registers our analyzers on an index (they are not persisted with it).
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(TEXT_ANALYZER, text_analyzer());
    index.tokenizers().register(WORDS_ANALYZER, words_analyzer());
    index.tokenizers().register(
        KEYWORD_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).build(),
    );
}

/// The text analyzer of the index: words split on non-alphanumerics and CJK text as
/// overlapping pairs ([`WordTokenizer`]), lower-cased, accents folded, a model name's
/// letters also indexed on their own (`qwen2` is found as `qwen`), English-stemmed.
pub fn text_analyzer() -> TextAnalyzer {
    folded_words().filter(LetterPrefix).filter(MemoStemmer).build()
}

/// What every text and query analyzer starts with: words and CJK pairs, long tokens
/// dropped, lower-cased, accents folded.
fn folded_words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// The analyzer that turns query words into terms: the text analyzer without the
/// extra letter-prefix tokens (a query for `qwen3` means `qwen3`).
pub fn query_analyzer() -> TextAnalyzer {
    folded_words().filter(Stemmer::new(Language::English)).build()
}

/// The tokenizer's stemmer for a language (ISO 639-1), where Tantivy has one; English
/// has its own memo stemmer in [`text_analyzer`].
fn stemmer_language(code: &str) -> Option<Language> {
    Some(match code {
        "ar" => Language::Arabic,
        "da" => Language::Danish,
        "nl" => Language::Dutch,
        "fi" => Language::Finnish,
        "fr" => Language::French,
        "de" => Language::German,
        "el" => Language::Greek,
        "hu" => Language::Hungarian,
        "it" => Language::Italian,
        "no" | "nb" | "nn" => Language::Norwegian,
        "pt" => Language::Portuguese,
        "ro" => Language::Romanian,
        "ru" => Language::Russian,
        "es" => Language::Spanish,
        "sv" => Language::Swedish,
        "ta" => Language::Tamil,
        "tr" => Language::Turkish,
        _ => return None,
    })
}

/// The text analyzer for an entry in another language: [`text_analyzer`] with that
/// language's stemmer. `None` where there is no stemmer (the English one then applies,
/// and CJK is split into pairs whatever the language).
pub fn language_analyzer(code: &str) -> Option<TextAnalyzer> {
    let language = stemmer_language(code)?;
    Some(folded_words().filter(LetterPrefix).filter(Stemmer::new(language)).build())
}

/// The query analyzer for a language: [`query_analyzer`] with that language's stemmer.
pub fn language_query_analyzer(code: &str) -> Option<TextAnalyzer> {
    let language = stemmer_language(code)?;
    Some(folded_words().filter(Stemmer::new(language)).build())
}

/// The terms an analyzer makes of a text, with their offsets and positions: a text
/// indexed as it is analyzed here ([`tantivy::tokenizer::PreTokenizedString`]).
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<tantivy::tokenizer::Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = vec![];
    while let Some(token) = stream.next() {
        out.push(token.clone());
    }
    out
}

/// The analyzer of the suggestion dictionary.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(32))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The terms an analyzer makes of a text, in order.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = vec![];
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}
