//! The query text -> tokens: words, phrases, `name:value` filters, operators.

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Open,
    Close,
    Or,
    And,
    Not,
    Phrase(String),
    Word(String),
    Field(String, String),
}

pub(super) fn lex(input: &str, warnings: &mut Vec<String>) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = vec![];
    let mut i = 0;
    let is_break = |c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '"' {
            match chars[i + 1..].iter().position(|&c| c == '"') {
                Some(len) => {
                    tokens.push(Token::Phrase(chars[i + 1..i + 1 + len].iter().collect()));
                    i += len + 2;
                }
                None => {
                    warnings.push("unbalanced quote: searched the rest as words".into());
                    i += 1;
                }
            }
        } else if c == '-' && chars.get(i + 1).is_none_or(|&n| n != '-') {
            // A `-` opening a term excludes it; inside a word (`gpt-4o`) it is text.
            tokens.push(Token::Not);
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !is_break(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `name:"a value"` takes the quoted value.
            if let Some(name) = word.strip_suffix(':').filter(|n| is_name(n))
                && chars.get(i) == Some(&'"')
                && let Some(len) = chars[i + 1..].iter().position(|&c| c == '"')
            {
                tokens.push(Token::Field(
                    name.to_lowercase(),
                    chars[i + 1..i + 1 + len].iter().collect(),
                ));
                i += len + 2;
                continue;
            }
            tokens.push(match word.as_str() {
                "OR" | "||" => Token::Or,
                "AND" | "&&" => Token::And,
                "NOT" => Token::Not,
                _ => match word.split_once(':') {
                    Some((name, value))
                        if is_name(name) && !value.is_empty() && !value.starts_with("//") =>
                    {
                        Token::Field(name.to_lowercase(), value.to_string())
                    }
                    _ => Token::Word(word),
                },
            });
        }
    }
    tokens
}

pub(super) fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
