//! Label selectors, exactly as apimachinery `pkg/labels` implements them
//! (`spec/kubernetes-semantics.md §5`): the string syntax (`app=web,tier in (a,b),!canary`),
//! `NewRequirement`'s validation, matching, the canonical `String()` form, and the conversions
//! from a label map (`ValidatedSelectorFromSet`) and from `metav1.LabelSelector`
//! (`LabelSelectorAsSelector`).
//!
//! Error messages are upstream's, word for word (including `unable to parse requirement: ` and
//! the `field.Error` renderings such as `values[0][app]: Invalid value: "-x": ...`). Parse errors
//! also carry the 1-based character position of the offending token in [`Error::column`].

use alloc::{
    collections::BTreeMap,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use crate::error::{Error, ErrorKind};
use crate::model::label_selector::LabelSelector;
use crate::names;

/// A set of labels (`labels.Set`): key → value, as on an object's `metadata.labels`
/// (`spec/kubernetes-semantics.md §5`).
pub type Labels = BTreeMap<String, String>;

/// A requirement's operator (`selection.Operator`, `spec/kubernetes-semantics.md §5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Operator {
    /// `!key`: the key is absent.
    DoesNotExist,
    /// `key=value`: the key is present with that value.
    Equals,
    /// `key==value`: same meaning as [`Operator::Equals`], printed as `==`.
    DoubleEquals,
    /// `key in (a,b)`: the key is present with one of the values.
    In,
    /// `key!=value`: the key is absent, or present with another value.
    NotEquals,
    /// `key notin (a,b)`: the key is absent, or present with none of the values.
    NotIn,
    /// `key`: the key is present.
    Exists,
    /// `key>n`: the key is present and its value, as an integer, is greater than `n`.
    GreaterThan,
    /// `key<n`: the key is present and its value, as an integer, is less than `n`.
    LessThan,
}

/// One condition of a selector (`labels.Requirement`, `spec/kubernetes-semantics.md §5`):
/// a key, an operator and a set of values, kept sorted and without duplicates.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

/// A label selector (`labels.Selector`, `spec/kubernetes-semantics.md §5`): the AND of its
/// requirements, sorted by key. [`Selector::nothing`] (what an absent `LabelSelector` becomes)
/// is distinct from [`Selector::everything`] (the empty selector).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    /// `labels.Nothing()`: matches no label set.
    nothing: bool,
}

// ---------------------------------------------------------------------------------------------
// Requirement

/// One `field.Error` of `NewRequirement`, rendered; `value` is the index of the value it is
/// about, if any (to point a parse error at that value).
struct FieldError {
    message: String,
    value: Option<usize>,
}

/// Renders a `field.ErrorList` the way `ToAggregate().Error()` does: one error alone, or the
/// distinct messages in brackets, joined by `, `.
fn aggregate(errs: &[FieldError]) -> String {
    match errs {
        [one] => one.message.clone(),
        _ => {
            let mut seen: Vec<&str> = Vec::new();
            for e in errs {
                if !seen.contains(&e.message.as_str()) {
                    seen.push(&e.message);
                }
            }
            match seen.as_slice() {
                [one] => (*one).to_string(),
                _ => format!("[{}]", seen.join(", ")),
            }
        }
    }
}

/// `NewRequirement`'s checks, in upstream order. `nil_values` renders an empty value list as
/// Go's `null` (what `LabelSelectorAsSelector` passes for absent values) rather than `[]`.
fn requirement_errors(key: &str, op: Operator, values: &[String], nil_values: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let key_errs = names::qualified_name(key);
    if !key_errs.is_empty() {
        errs.push(FieldError {
            message: format!("key: Invalid value: {}: {}", go_quote(key), key_errs.join("; ")),
            value: None,
        });
    }
    let list = || {
        if nil_values && values.is_empty() {
            String::from("null")
        } else {
            go_json_list(values)
        }
    };
    let count_error =
        |detail: &str| FieldError { message: format!("values: Invalid value: {}: {}", list(), detail), value: None };
    match op {
        Operator::In | Operator::NotIn => {
            if values.is_empty() {
                errs.push(count_error("for 'in', 'notin' operators, values set can't be empty"));
            }
        }
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
            if values.len() != 1 {
                errs.push(count_error("exact-match compatibility requires one single value"));
            }
        }
        Operator::Exists | Operator::DoesNotExist => {
            if !values.is_empty() {
                errs.push(count_error("values set must be empty for exists and does not exist"));
            }
        }
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                errs.push(count_error("for 'Gt', 'Lt' operators, exactly one value is required"));
            }
            for (i, v) in values.iter().enumerate() {
                if parse_int(v).is_none() {
                    errs.push(FieldError {
                        message: format!(
                            "values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                            go_quote(v)
                        ),
                        value: Some(i),
                    });
                }
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        let value_errs = names::label_value(v);
        if !value_errs.is_empty() {
            errs.push(FieldError {
                message: format!("values[{i}][{key}]: Invalid value: {}: {}", go_quote(v), value_errs.join("; ")),
                value: Some(i),
            });
        }
    }
    errs
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, no overflow.
fn parse_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

fn selector_error(message: String) -> Error {
    Error::new(ErrorKind::Selector, message)
}

impl Requirement {
    /// `labels.NewRequirement` (`spec/kubernetes-semantics.md §5`): fails when `in`/`notin` have
    /// no values, `=`/`==`/`!=` do not have exactly one, exists/does-not-exist have any,
    /// `gt`/`lt` do not have exactly one integer, the key is not a qualified name, or a value is
    /// not a valid label value; the message is upstream's aggregated `field.ErrorList`.
    /// Values are stored sorted and de-duplicated (pass `Vec::<String>::new()` for none).
    pub fn new<I>(key: impl Into<String>, operator: Operator, values: I) -> Result<Requirement, Error>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        Self::build(key.into(), operator, values, false).map_err(|(m, _)| selector_error(m))
    }

    /// Validates, then sorts and de-duplicates the values. The error carries the index of the
    /// value it is about, if any.
    fn build(
        key: String,
        operator: Operator,
        mut values: Vec<String>,
        nil_values: bool,
    ) -> Result<Requirement, (String, Option<usize>)> {
        let errs = requirement_errors(&key, operator, &values, nil_values);
        if !errs.is_empty() {
            let at = errs.first().and_then(|e| e.value);
            return Err((aggregate(&errs), at));
        }
        crate::sort::sort(&mut values);
        values.dedup();
        Ok(Requirement { key, operator, values })
    }

    /// The label key (`spec/kubernetes-semantics.md §5`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator (`spec/kubernetes-semantics.md §5`).
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted and without duplicates (`spec/kubernetes-semantics.md §5`).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.binary_search_by(|v| v.as_str().cmp(value)).is_ok()
    }

    /// `Requirement.Matches` (`spec/kubernetes-semantics.md §5`): `in`/`=`/`==` need the key
    /// with a listed value; `notin`/`!=` match when the key is absent or its value is not listed;
    /// `gt`/`lt` need the key and both sides to parse as 64-bit integers (else no match).
    /// Does not allocate.
    pub fn matches(&self, labels: &Labels) -> bool {
        let got = labels.get(self.key.as_str());
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => got.is_some_and(|v| self.has_value(v)),
            Operator::NotIn | Operator::NotEquals => got.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => got.is_some(),
            Operator::DoesNotExist => got.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let Some(have) = got.and_then(|v| parse_int(v)) else {
                    return false;
                };
                let [want] = self.values.as_slice() else {
                    return false;
                };
                let Some(want) = parse_int(want) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

/// `Requirement.String()` (`spec/kubernetes-semantics.md §5`): `x in (a,b)`, `x notin (a)`,
/// `x=a`, `x==a`, `x!=a`, `x`, `!x`, `x>1`, `x<1`.
impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (op, parens) = match self.operator {
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
            Operator::Equals => ("=", false),
            Operator::DoubleEquals => ("==", false),
            Operator::NotEquals => ("!=", false),
            Operator::In => (" in ", true),
            Operator::NotIn => (" notin ", true),
            Operator::GreaterThan => (">", false),
            Operator::LessThan => ("<", false),
        };
        f.write_str(op)?;
        if parens {
            f.write_str("(")?;
        }
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(v)?;
        }
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Selector

impl Selector {
    /// `labels.Parse` (`spec/kubernetes-semantics.md §5`): the full upstream lexer and parser.
    /// Whitespace is space, tab, CR and LF; `in`/`notin` are keywords only where an operator is
    /// expected; empty values are allowed (`x=`, `x in ()`, `x in (a,,)`); keys must be
    /// qualified names and values label values. Errors carry upstream's message and, in
    /// [`Error::column`], the 1-based character position of the offending token.
    pub fn parse(text: &str) -> Result<Selector, Error> {
        let mut parser = Parser::new(text);
        match parser.parse() {
            Ok(mut requirements) => {
                crate::sort::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
                Ok(Selector { requirements, nothing: false })
            }
            Err(e) => {
                let mut err = selector_error(e.message);
                err.column = Some(column_of(text, e.pos));
                Err(err)
            }
        }
    }

    /// `labels.Everything()` (`spec/kubernetes-semantics.md §5`): no requirements, matches every
    /// label set.
    pub fn everything() -> Selector {
        Selector { requirements: Vec::new(), nothing: false }
    }

    /// `labels.Nothing()` (`spec/kubernetes-semantics.md §5`): matches no label set, prints as
    /// the empty string, and is not [`Selector::is_empty`].
    pub fn nothing() -> Selector {
        Selector { requirements: Vec::new(), nothing: true }
    }

    /// `labels.ValidatedSelectorFromSet` (`spec/kubernetes-semantics.md §5`): `k = v` for every
    /// pair, each validated like [`Requirement::new`]; an empty set gives
    /// [`Selector::everything`]. This is how a Service's `spec.selector` selects pods.
    pub fn from_labels(labels: &Labels) -> Result<Selector, Error> {
        let mut requirements = Vec::with_capacity(labels.len());
        for (k, v) in labels {
            let r = Requirement::build(k.clone(), Operator::Equals, alloc::vec![v.clone()], false)
                .map_err(|(m, _)| selector_error(m))?;
            requirements.push(r);
        }
        Ok(Selector { requirements, nothing: false })
    }

    /// `metav1.LabelSelectorAsSelector` (`spec/kubernetes-semantics.md §5`): `None` gives
    /// [`Selector::nothing`], an empty selector [`Selector::everything`]; `matchLabels` become
    /// `k = v`, `matchExpressions` use `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else is
    /// the error `"Op" is not a valid label selector operator`); all ANDed.
    pub fn from_label_selector(sel: Option<&LabelSelector>) -> Result<Selector, Error> {
        let Some(sel) = sel else {
            return Ok(Selector::nothing());
        };
        if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
            return Ok(Selector::everything());
        }
        let mut requirements = Vec::with_capacity(sel.match_labels.len() + sel.match_expressions.len());
        for (k, v) in &sel.match_labels {
            let r = Requirement::build(k.clone(), Operator::Equals, alloc::vec![v.clone()], false)
                .map_err(|(m, _)| selector_error(m))?;
            requirements.push(r);
        }
        for expr in &sel.match_expressions {
            let op = match expr.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(selector_error(format!("{} is not a valid label selector operator", go_quote(other))))
                }
            };
            let r = Requirement::build(expr.key.clone(), op, expr.values.clone(), true)
                .map_err(|(m, _)| selector_error(m))?;
            requirements.push(r);
        }
        crate::sort::sort_by(&mut requirements, |a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements, nothing: false })
    }

    /// `Selector.Matches` (`spec/kubernetes-semantics.md §5`): every requirement matches
    /// (always for [`Selector::everything`], never for [`Selector::nothing`]). Does not allocate.
    pub fn matches(&self, labels: &Labels) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The requirements, sorted by key (`spec/kubernetes-semantics.md §5`); none for both
    /// [`Selector::everything`] and [`Selector::nothing`].
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// `Selector.Empty()` (`spec/kubernetes-semantics.md §5`): true when the selector does not
    /// restrict anything, i.e. matches every label set; false for [`Selector::nothing`].
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }
}

/// `Selector.String()` (`spec/kubernetes-semantics.md §5`): the canonical form, requirements in
/// key order joined by `,`; both [`Selector::everything`] and [`Selector::nothing`] print as
/// the empty string, as upstream.
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(r, f)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer (upstream `Lexer`, byte by byte, quirks included)

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// Upstream `string2token`.
fn token_of(s: &[u8]) -> Option<(Token, &'static str)> {
    Some(match s {
        b")" => (Token::ClosedPar, ")"),
        b"," => (Token::Comma, ","),
        b"!" => (Token::DoesNotExist, "!"),
        b"==" => (Token::DoubleEquals, "=="),
        b"=" => (Token::Equals, "="),
        b">" => (Token::GreaterThan, ">"),
        b"in" => (Token::In, "in"),
        b"<" => (Token::LessThan, "<"),
        b"!=" => (Token::NotEquals, "!="),
        b"notin" => (Token::NotIn, "notin"),
        b"(" => (Token::OpenPar, "("),
        _ => return None,
    })
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// A scanned token: kind, literal and byte offset of its start.
#[derive(Clone, Copy, Debug)]
struct Item<'a> {
    tok: Token,
    lit: &'a str,
    pos: usize,
}

struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// Upstream `read`: the next byte, or 0 at the end. A NUL byte also reads as 0, which
    /// upstream then treats as the end of the token (or of the string): kept as is.
    fn read(&mut self) -> u8 {
        match self.s.as_bytes().get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// The text between two byte offsets (always at ASCII boundaries).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.s.get(start..end).unwrap_or("")
    }

    /// Upstream `scanIDOrKeyword`.
    fn scan_id_or_keyword(&mut self) -> Item<'a> {
        let start = self.pos;
        let end = loop {
            let at = self.pos;
            let ch = self.read();
            if ch == 0 {
                break at;
            }
            if is_special(ch) || is_whitespace(ch) {
                self.unread();
                break at;
            }
        };
        let lit = self.slice(start, end);
        let tok = token_of(lit.as_bytes()).map_or(Token::Identifier, |(t, _)| t);
        Item { tok, lit, pos: start }
    }

    /// Upstream `scanSpecialSymbol`: the longest run of special characters that is a token.
    /// (Every single special character is a token, so upstream's `ErrorToken` cannot occur.)
    fn scan_special_symbol(&mut self) -> Item<'a> {
        let start = self.pos;
        let mut len = 0;
        let mut last: Option<(Token, &'static str)> = None;
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special(ch) {
                self.unread();
                break;
            }
            len += 1;
            let buf = self.s.as_bytes().get(start..start + len).unwrap_or(&[]);
            if let Some(t) = token_of(buf) {
                last = Some(t);
            } else if last.is_some() {
                self.unread();
                break;
            }
        }
        let (tok, lit) = last.unwrap_or((Token::EndOfString, ""));
        Item { tok, lit, pos: start }
    }

    /// Upstream `Lex`.
    fn lex(&mut self) -> Item<'a> {
        loop {
            let at = self.pos;
            let ch = self.read();
            if ch == 0 {
                return Item { tok: Token::EndOfString, lit: "", pos: at };
            }
            if is_whitespace(ch) {
                continue;
            }
            self.unread();
            return if is_special(ch) { self.scan_special_symbol() } else { self.scan_id_or_keyword() };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parser (upstream `Parser`)

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

/// A parse error: upstream's message and the byte offset it points at.
struct ParseError {
    message: String,
    pos: usize,
}

fn perr(message: String, pos: usize) -> ParseError {
    ParseError { message, pos }
}

/// Values being collected, with the byte offset of each one's first occurrence (upstream uses a
/// `sets.String`, so they come out sorted and de-duplicated).
type ValueSet = BTreeMap<String, usize>;

struct Parser<'a> {
    items: Vec<Item<'a>>,
    position: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    /// Upstream `scan`: all tokens up to and including the end-of-string token.
    fn new(text: &'a str) -> Self {
        let mut lexer = Lexer { s: text, pos: 0 };
        let mut items = Vec::new();
        loop {
            let item = lexer.lex();
            items.push(item);
            if item.tok == Token::EndOfString {
                break;
            }
        }
        Parser { items, position: 0, end: text.len() }
    }

    fn current(&self) -> Item<'a> {
        self.items.get(self.position).copied().unwrap_or(Item { tok: Token::EndOfString, lit: "", pos: self.end })
    }

    /// Upstream `lookahead`: in a values context `in`/`notin` are identifiers.
    fn lookahead(&self, ctx: Context) -> Item<'a> {
        let mut item = self.current();
        if ctx == Context::Values && matches!(item.tok, Token::In | Token::NotIn) {
            item.tok = Token::Identifier;
        }
        item
    }

    /// Upstream `consume`.
    fn consume(&mut self, ctx: Context) -> Item<'a> {
        let item = self.lookahead(ctx);
        self.position += 1;
        item
    }

    /// Upstream `parse`.
    fn parse(&mut self) -> Result<Vec<Requirement>, ParseError> {
        let mut requirements = Vec::new();
        loop {
            let next = self.lookahead(Context::Values);
            match next.tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| perr(format!("unable to parse requirement: {}", e.message), e.pos))?;
                    requirements.push(r);
                    let t = self.consume(Context::Values);
                    match t.tok {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let t2 = self.lookahead(Context::Values);
                            if t2.tok != Token::Identifier && t2.tok != Token::DoesNotExist {
                                return Err(perr(
                                    format!("found '{}', expected: identifier after ','", t2.lit),
                                    t2.pos,
                                ));
                            }
                        }
                        _ => return Err(perr(format!("found '{}', expected: ',' or 'end of string'", t.lit), t.pos)),
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(perr(
                        format!("found '{}', expected: !, identifier, or 'end of string'", next.lit),
                        next.pos,
                    ))
                }
            }
        }
    }

    /// Upstream `parseRequirement`.
    fn parse_requirement(&mut self) -> Result<Requirement, ParseError> {
        let (key, key_pos, operator) = self.parse_key_and_infer_operator()?;
        let (operator, values) = match operator {
            Some(op @ (Operator::Exists | Operator::DoesNotExist)) => (op, ValueSet::new()),
            _ => {
                let op = self.parse_operator()?;
                let values = match op {
                    Operator::In | Operator::NotIn => self.parse_values()?,
                    _ => self.parse_exact_value()?,
                };
                (op, values)
            }
        };
        let positions: Vec<usize> = values.values().copied().collect();
        let list: Vec<String> = values.into_keys().collect();
        Requirement::build(key.to_string(), operator, list, false).map_err(|(message, at)| {
            let pos = at.and_then(|i| positions.get(i).copied()).unwrap_or(key_pos);
            perr(message, pos)
        })
    }

    /// Upstream `parseKeyAndInferOperator`: the key (validated), and `Exists`/`DoesNotExist`
    /// when that is all the requirement says.
    fn parse_key_and_infer_operator(&mut self) -> Result<(&'a str, usize, Option<Operator>), ParseError> {
        let mut operator = None;
        let mut t = self.consume(Context::Values);
        if t.tok == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            t = self.consume(Context::Values);
        }
        if t.tok != Token::Identifier {
            return Err(perr(format!("found '{}', expected: identifier", t.lit), t.pos));
        }
        let errs = names::qualified_name(t.lit);
        if !errs.is_empty() {
            return Err(perr(format!("<nil>: Invalid value: {}: {}", go_quote(t.lit), errs.join("; ")), t.pos));
        }
        let next = self.lookahead(Context::Values).tok;
        if (next == Token::EndOfString || next == Token::Comma) && operator != Some(Operator::DoesNotExist) {
            operator = Some(Operator::Exists);
        }
        Ok((t.lit, t.pos, operator))
    }

    /// Upstream `parseOperator`.
    fn parse_operator(&mut self) -> Result<Operator, ParseError> {
        let t = self.consume(Context::KeyAndOperator);
        Ok(match t.tok {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(perr(format!("found '{}', expected: in, notin, =, ==, !=, gt, lt", t.lit), t.pos)),
        })
    }

    /// Upstream `parseValues`: `( values )`; `()` is the set {""}.
    fn parse_values(&mut self) -> Result<ValueSet, ParseError> {
        let t = self.consume(Context::Values);
        if t.tok != Token::OpenPar {
            return Err(perr(format!("found '{}' expected: '('", t.lit), t.pos));
        }
        let next = self.lookahead(Context::Values);
        match next.tok {
            Token::Identifier | Token::Comma => {
                let set = self.parse_identifiers_list()?;
                let close = self.consume(Context::Values);
                if close.tok != Token::ClosedPar {
                    // Unreachable (the list only ends before ')'); upstream's message names the
                    // token after '('.
                    return Err(perr(format!("found '{}', expected: ')'", next.lit), close.pos));
                }
                Ok(set)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(ValueSet::from([(String::new(), next.pos)]))
            }
            _ => Err(perr(format!("found '{}', expected: ',', ')' or identifier", next.lit), next.pos)),
        }
    }

    /// Upstream `parseIdentifiersList`: comma-separated, possibly empty, identifiers.
    fn parse_identifiers_list(&mut self) -> Result<ValueSet, ParseError> {
        let mut set = ValueSet::new();
        loop {
            let t = self.consume(Context::Values);
            match t.tok {
                Token::Identifier => {
                    set.entry(t.lit.to_string()).or_insert(t.pos);
                    let t2 = self.lookahead(Context::Values);
                    match t2.tok {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set),
                        _ => return Err(perr(format!("found '{}', expected: ',' or ')'", t2.lit), t2.pos)),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        set.entry(String::new()).or_insert(t.pos); // "(,"
                    }
                    let t2 = self.lookahead(Context::Values);
                    if t2.tok == Token::ClosedPar {
                        set.entry(String::new()).or_insert(t.pos); // ",)"
                        return Ok(set);
                    }
                    if t2.tok == Token::Comma {
                        self.consume(Context::Values);
                        set.entry(String::new()).or_insert(t2.pos); // ",,"
                    }
                }
                _ => return Err(perr(format!("found '{}', expected: ',', or identifier", t.lit), t.pos)),
            }
        }
    }

    /// Upstream `parseExactValue`: one value, or "" when the requirement ends here.
    fn parse_exact_value(&mut self) -> Result<ValueSet, ParseError> {
        let next = self.lookahead(Context::Values);
        if next.tok == Token::EndOfString || next.tok == Token::Comma {
            return Ok(ValueSet::from([(String::new(), next.pos)]));
        }
        let t = self.consume(Context::Values);
        if t.tok == Token::Identifier {
            return Ok(ValueSet::from([(t.lit.to_string(), t.pos)]));
        }
        Err(perr(format!("found '{}', expected: identifier", t.lit), t.pos))
    }
}

/// 1-based character position of a byte offset.
fn column_of(text: &str, byte: usize) -> u32 {
    let chars = text.get(..byte).map_or(byte, |s| s.chars().count());
    u32::try_from(chars).unwrap_or(u32::MAX).saturating_add(1)
}

// ---------------------------------------------------------------------------------------------
// Go renderings used in upstream messages

/// Go's `%q` (`strconv.Quote`). Printability of non-ASCII characters is approximated (control,
/// whitespace other than ' ', and common format characters are escaped).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if !go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Approximation of Go's `unicode.IsPrint` for characters outside ASCII control range.
fn go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// Go's `json.Marshal([]string)`, with its HTML-safe escaping of `<`, `>`, `&`.
fn go_json_list(values: &[String]) -> String {
    let mut out = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in v.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    //! Tables from apimachinery `pkg/labels/selector_test.go` and `meta/v1/helpers_test.go`
    //! (`spec/kubernetes-semantics.md §5`), plus property tests.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::model::label_selector::LabelSelectorRequirement;
    use alloc::{borrow::ToOwned, vec};
    use proptest::prelude::*;

    fn set(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
        Requirement::new(key, op, values.iter().copied()).unwrap()
    }

    fn sel(reqs: Vec<Requirement>) -> Selector {
        Selector { requirements: reqs, nothing: false }
    }

    fn tokens(s: &str) -> Vec<Token> {
        let mut l = Lexer { s, pos: 0 };
        let mut out = Vec::new();
        loop {
            let it = l.lex();
            if it.tok == Token::EndOfString {
                return out;
            }
            out.push(it.tok);
        }
    }

    fn parse_err(s: &str) -> Error {
        match Selector::parse(s) {
            Ok(sel) => panic!("{s:?} parsed as {sel:?}"),
            Err(e) => e,
        }
    }

    // TestSelectorParse
    #[test]
    fn selector_parse_good_and_bad() {
        let good = ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"];
        for test in good {
            let lq = Selector::parse(test).unwrap_or_else(|e| panic!("{test:?}: {e}"));
            assert_eq!(lq.to_string(), test.replace(' ', ""), "{test:?}");
        }
        for test in ["x=a||y=b", "x==a==b", "!x=a", "x<a"] {
            assert!(Selector::parse(test).is_err(), "{test:?}");
        }
    }

    // TestDeterministicParse
    #[test]
    fn deterministic_parse() {
        let s1 = Selector::parse("x=a,a=x").unwrap();
        let s2 = Selector::parse("a=x,x=a").unwrap();
        assert_eq!(s1.to_string(), s2.to_string());
        assert_eq!(s1, s2);
        assert_eq!(s1.to_string(), "a=x,x=a");
    }

    // TestEverything, TestSetIsEmpty, TestNilMapIsValid
    #[test]
    fn everything_and_nothing() {
        assert!(Selector::everything().matches(&set(&[("x", "y")])));
        assert!(Selector::everything().matches(&Labels::new()));
        assert!(Selector::everything().is_empty());
        assert_eq!(Selector::everything().to_string(), "");
        assert!(!Selector::nothing().matches(&set(&[("x", "y")])));
        assert!(!Selector::nothing().matches(&Labels::new()));
        assert!(!Selector::nothing().is_empty());
        assert_eq!(Selector::nothing().to_string(), "");
        assert!(Selector::nothing().requirements().is_empty());
        assert_ne!(Selector::nothing(), Selector::everything());
        assert_eq!(Selector::parse("").unwrap(), Selector::everything());
        assert!(Selector::from_labels(&Labels::new()).unwrap().is_empty());
    }

    // TestSelectorMatches
    #[test]
    fn selector_matches() {
        let yes: &[(&str, &[(&str, &str)])] = &[
            ("", &[("x", "y")]),
            ("x=y", &[("x", "y")]),
            ("x=y,z=w", &[("x", "y"), ("z", "w")]),
            ("x!=y,z!=w", &[("x", "z"), ("z", "a")]),
            ("notin=in", &[("notin", "in")]),
            ("x", &[("x", "z")]),
            ("!x", &[("y", "z")]),
            ("x>1", &[("x", "2")]),
            ("x<1", &[("x", "0")]),
            ("foo=bar", &[("foo", "bar"), ("baz", "blah")]),
            ("baz=blah", &[("foo", "bar"), ("baz", "blah")]),
            ("foo=bar,baz=blah", &[("foo", "bar"), ("baz", "blah")]),
            // notin / != on a missing key match.
            ("x notin (a)", &[("y", "a")]),
            ("x!=a", &[]),
            ("x in (a,b)", &[("x", "b")]),
            ("x==a", &[("x", "a")]),
            ("x>0", &[("x", "1")]),
        ];
        for (s, labels) in yes {
            assert!(Selector::parse(s).unwrap().matches(&set(labels)), "{s:?} should match {labels:?}");
        }
        let no: &[(&str, &[(&str, &str)])] = &[
            ("x=z", &[]),
            ("x=y", &[("x", "z")]),
            ("x=y,z=w", &[("x", "w"), ("z", "w")]),
            ("x!=y,z!=w", &[("x", "z"), ("z", "w")]),
            ("x", &[("y", "z")]),
            ("!x", &[("x", "z")]),
            ("x>1", &[("x", "0")]),
            ("x<1", &[("x", "2")]),
            ("foo=blah", &[("foo", "bar"), ("baz", "blah")]),
            ("baz=bar", &[("foo", "bar"), ("baz", "blah")]),
            ("foo=bar,foobar=bar,baz=blah", &[("foo", "bar"), ("baz", "blah")]),
            // gt/lt: missing key or unparsable label value never match.
            ("x>1", &[]),
            ("x<1", &[]),
            ("x>1", &[("x", "v2")]),
            ("x<1", &[("x", "")]),
            ("x>1", &[("x", "99999999999999999999")]),
            ("x in (a)", &[]),
            ("x notin (a)", &[("x", "a")]),
        ];
        for (s, labels) in no {
            assert!(!Selector::parse(s).unwrap().matches(&set(labels)), "{s:?} should not match {labels:?}");
        }
    }

    // TestSetMatches
    #[test]
    fn set_matches() {
        let labelset = set(&[("foo", "bar"), ("baz", "blah")]);
        for s in [set(&[]), set(&[("foo", "bar")]), set(&[("baz", "blah")]), set(&[("foo", "bar"), ("baz", "blah")])] {
            assert!(Selector::from_labels(&s).unwrap().matches(&labelset), "{s:?}");
        }
        assert!(!Selector::from_labels(&set(&[("foo", "blah")])).unwrap().matches(&labelset));
        assert_eq!(Selector::from_labels(&set(&[("b", "2"), ("a", "1")])).unwrap().to_string(), "a=1,b=2");
    }

    // TestValidatedSelectorFromSet
    #[test]
    fn validated_selector_from_set() {
        let s = Selector::from_labels(&set(&[("key", "val")])).unwrap();
        assert_eq!(s, sel(vec![req("key", Operator::Equals, &["val"])]));
        let long = "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui";
        let e = Selector::from_labels(&set(&[("Key", long)])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Selector);
        assert_eq!(e.message, format!("values[0][Key]: Invalid value: \"{long}\": must be no more than 63 bytes"));
        assert_eq!(e.column, None);
        let e = Selector::from_labels(&set(&[("a b", "v")])).unwrap_err();
        assert!(e.message.starts_with("key: Invalid value: \"a b\": name part must consist of"), "{}", e.message);
    }

    // TestLexer
    #[test]
    fn lexer_single_tokens() {
        let cases = [
            ("", Token::EndOfString, ""),
            (",", Token::Comma, ","),
            ("notin", Token::NotIn, "notin"),
            ("in", Token::In, "in"),
            ("=", Token::Equals, "="),
            ("==", Token::DoubleEquals, "=="),
            (">", Token::GreaterThan, ">"),
            ("<", Token::LessThan, "<"),
            ("!", Token::DoesNotExist, "!"),
            ("!=", Token::NotEquals, "!="),
            ("(", Token::OpenPar, "("),
            (")", Token::ClosedPar, ")"),
            ("~", Token::Identifier, "~"),
            ("||", Token::Identifier, "||"),
        ];
        for (s, t, lit) in cases {
            let it = Lexer { s, pos: 0 }.lex();
            assert_eq!(it.tok, t, "{s:?}");
            assert_eq!(it.lit, lit, "{s:?}");
        }
    }

    // TestLexerSequence
    #[test]
    fn lexer_sequences() {
        use Token::*;
        let cases: &[(&str, &[Token])] = &[
            ("key in ( value )", &[Identifier, In, OpenPar, Identifier, ClosedPar]),
            ("key notin ( value )", &[Identifier, NotIn, OpenPar, Identifier, ClosedPar]),
            ("key in ( value1, value2 )", &[Identifier, In, OpenPar, Identifier, Comma, Identifier, ClosedPar]),
            ("key", &[Identifier]),
            ("!key", &[DoesNotExist, Identifier]),
            ("()", &[OpenPar, ClosedPar]),
            ("x in (),y", &[Identifier, In, OpenPar, ClosedPar, Comma, Identifier]),
            ("== != (), = notin", &[DoubleEquals, NotEquals, OpenPar, ClosedPar, Comma, Equals, NotIn]),
            ("key>2", &[Identifier, GreaterThan, Identifier]),
            ("key<1", &[Identifier, LessThan, Identifier]),
            // Longest match among special runs.
            ("===", &[DoubleEquals, Equals]),
            ("!==", &[NotEquals, Equals]),
            ("!!x", &[DoesNotExist, DoesNotExist, Identifier]),
            ("<=", &[LessThan, Equals]),
            ("a\tb\rc\nd", &[Identifier, Identifier, Identifier, Identifier]),
        ];
        for (s, want) in cases {
            assert_eq!(tokens(s), *want, "{s:?}");
        }
    }

    // TestParserLookahead
    #[test]
    fn parser_lookahead() {
        for s in ["key in ( value )", "key notin ( value )", "key", "!key", "()", "", "x in (),y", "== != (), = notin"]
        {
            let mut p = Parser::new(s);
            assert_eq!(p.items.len(), tokens(s).len() + 1, "{s:?}");
            assert_eq!(p.items.last().unwrap().tok, Token::EndOfString);
            loop {
                let a = p.lookahead(Context::KeyAndOperator);
                let b = p.consume(Context::KeyAndOperator);
                assert_eq!((a.tok, a.lit, a.pos), (b.tok, b.lit, b.pos));
                if a.tok == Token::EndOfString {
                    break;
                }
            }
        }
    }

    // ParseOperator cases
    #[test]
    fn parse_operator() {
        for tok in ["in", "=", "==", ">", "<", "notin", "!="] {
            assert!(Parser::new(tok).parse_operator().is_ok(), "{tok}");
        }
        for (tok, lit) in [("!", "!"), ("exists", "exists"), ("(", "(")] {
            let e = Parser::new(tok).parse_operator().err().unwrap();
            assert_eq!(e.message, format!("found '{lit}', expected: in, notin, =, ==, !=, gt, lt"));
        }
    }

    // TestRequirementConstructor
    #[test]
    fn requirement_constructor() {
        let none: &[&str] = &[];
        let ok: &[(&str, Operator, &[&str])] = &[
            ("x3", Operator::In, &["foo"]),
            ("x4", Operator::NotIn, &["foo"]),
            ("x6", Operator::Exists, none),
            ("x7", Operator::DoesNotExist, none),
            ("1foo", Operator::In, &["bar"]),
            ("1234", Operator::In, &["bar"]),
            ("x11", Operator::GreaterThan, &["1"]),
            ("x12", Operator::LessThan, &["6"]),
        ];
        for (k, op, vals) in ok {
            assert!(Requirement::new(*k, *op, vals.iter().copied()).is_ok(), "{k}");
        }
        let long = "a".repeat(254);
        let bad: &[(&str, Operator, &[&str], String)] = &[
            ("x1", Operator::In, none, "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty".into()),
            ("x2", Operator::NotIn, none, "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty".into()),
            (
                "x5",
                Operator::Equals,
                &["bar", "foo"],
                "values: Invalid value: [\"bar\",\"foo\"]: exact-match compatibility requires one single value".into(),
            ),
            (
                "x8",
                Operator::Exists,
                &["foo"],
                "values: Invalid value: [\"foo\"]: values set must be empty for exists and does not exist".into(),
            ),
            ("x13", Operator::GreaterThan, none, "values: Invalid value: []: for 'Gt', 'Lt' operators, exactly one value is required".into()),
            (
                "x14",
                Operator::GreaterThan,
                &["bar"],
                "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
            ),
            (
                "x15",
                Operator::LessThan,
                &["bar"],
                "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
            ),
            (long.as_str(), Operator::Exists, none, format!("key: Invalid value: \"{long}\": name part must be no more than 63 bytes")),
            (
                "x17",
                Operator::Equals,
                &["a b"],
                "values[0][x17]: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into(),
            ),
        ];
        for (k, op, vals, msg) in bad {
            let e = Requirement::new(*k, *op, vals.iter().copied()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Selector);
            assert_eq!(&e.message, msg, "{k}");
        }
        // x16: value over 63 bytes.
        let e = Requirement::new("x16", Operator::Equals, [long.as_str()]).unwrap_err();
        assert!(e.message.starts_with("values[0][x16]: Invalid value: \"aaa"), "{}", e.message);
        assert!(e.message.contains("must be no more than 63 bytes"));
        // Several errors aggregate in brackets.
        let e = Requirement::new("-k", Operator::GreaterThan, ["x-"]).unwrap_err();
        assert!(e.message.starts_with("[key: Invalid value: \"-k\": "), "{}", e.message);
        assert!(e.message.contains(", values[0]: Invalid value: \"x-\": for 'Gt', 'Lt' operators"), "{}", e.message);
        assert!(e.message.contains(", values[0][-k]: Invalid value: \"x-\": a valid label"), "{}", e.message);
        assert!(e.message.ends_with(']'));
        // Values are stored sorted and de-duplicated.
        let r = Requirement::new("x", Operator::In, ["b", "a", "b"]).unwrap();
        assert_eq!(r.values(), ["a", "b"]);
        assert_eq!(r.key(), "x");
        assert_eq!(r.operator(), Operator::In);
    }

    // TestToString
    #[test]
    fn to_string_canonical() {
        use Operator::*;
        let cases = [
            (
                vec![req("x", In, &["abc", "def"]), req("y", NotIn, &["jkl"]), req("z", Exists, &[])],
                "x in (abc,def),y notin (jkl),z",
            ),
            (
                vec![req("x", NotIn, &["abc", "def"]), req("y", NotEquals, &["jkl"]), req("z", DoesNotExist, &[])],
                "x notin (abc,def),y!=jkl,!z",
            ),
            (
                vec![req("x", NotIn, &["abc"]), req("y", In, &["jkl", "mno"]), req("z", NotIn, &[""])],
                "x notin (abc),y in (jkl,mno),z notin ()",
            ),
            (
                vec![
                    req("x", Equals, &["abc"]),
                    req("y", DoubleEquals, &["jkl"]),
                    req("z", NotEquals, &["a"]),
                    req("z", Exists, &[]),
                ],
                "x=abc,y==jkl,z!=a,z",
            ),
            (vec![req("x", GreaterThan, &["2"]), req("y", LessThan, &["8"]), req("z", Exists, &[])], "x>2,y<8,z"),
        ];
        for (reqs, want) in cases {
            let s = sel(reqs);
            assert_eq!(s.to_string(), want);
            assert_eq!(Selector::parse(want).unwrap(), s, "{want}");
        }
        assert_eq!(req("x", In, &["def", "abc"]).to_string(), "x in (abc,def)");
    }

    // TestRequirementSelectorMatching
    #[test]
    fn requirement_selector_matching() {
        use Operator::*;
        let cases = [
            (set(&[("x", "foo"), ("y", "baz")]), vec![req("x", In, &["foo"]), req("y", NotIn, &["alpha"])], true),
            (set(&[("x", "foo"), ("y", "baz")]), vec![req("x", In, &["foo"]), req("y", In, &["alpha"])], false),
            (set(&[("y", "")]), vec![req("x", NotIn, &[""]), req("y", Exists, &[])], true),
            (set(&[("y", "")]), vec![req("x", DoesNotExist, &[]), req("y", Exists, &[])], true),
            (set(&[("y", "")]), vec![req("x", NotIn, &[""]), req("y", DoesNotExist, &[])], false),
            (set(&[("y", "baz")]), vec![req("x", In, &[""])], false),
            (set(&[("z", "2")]), vec![req("z", GreaterThan, &["1"])], true),
            (set(&[("z", "v2")]), vec![req("z", GreaterThan, &["1"])], false),
        ];
        for (labels, reqs, want) in cases {
            assert_eq!(sel(reqs.clone()).matches(&labels), want, "{reqs:?} on {labels:?}");
        }
    }

    // TestSetSelectorParser
    #[test]
    fn set_selector_parser() {
        use Operator::*;
        let cases: Vec<(&str, Option<Vec<Requirement>>)> = vec![
            ("", Some(vec![])),
            ("\rx", Some(vec![req("x", Exists, &[])])),
            (
                "this-is-a-dns.domain.com/key-with-dash",
                Some(vec![req("this-is-a-dns.domain.com/key-with-dash", Exists, &[])]),
            ),
            (
                "this-is-another-dns.domain.com/key-with-dash in (so,what)",
                Some(vec![req("this-is-another-dns.domain.com/key-with-dash", In, &["so", "what"])]),
            ),
            (
                "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                Some(vec![req("0.1.2.domain/99", NotIn, &["10.10.100.1", "tick.tack.clock"])]),
            ),
            ("foo  in\t (abc)", Some(vec![req("foo", In, &["abc"])])),
            ("x notin\n (abc)", Some(vec![req("x", NotIn, &["abc"])])),
            ("x  notin\t\t\t(abc,def)", Some(vec![req("x", NotIn, &["abc", "def"])])),
            ("x in (abc,def)", Some(vec![req("x", In, &["abc", "def"])])),
            ("x in (abc,)", Some(vec![req("x", In, &["abc", ""])])),
            ("x in ()", Some(vec![req("x", In, &[""])])),
            (
                "x notin (abc,,def),bar,z in (),w",
                Some(vec![
                    req("bar", Exists, &[]),
                    req("w", Exists, &[]),
                    req("x", NotIn, &["abc", "", "def"]),
                    req("z", In, &[""]),
                ]),
            ),
            ("x,y in (a)", Some(vec![req("x", Exists, &[]), req("y", In, &["a"])])),
            ("x=a", Some(vec![req("x", Equals, &["a"])])),
            ("x>1", Some(vec![req("x", GreaterThan, &["1"])])),
            ("x<7", Some(vec![req("x", LessThan, &["7"])])),
            ("x=a,y!=b", Some(vec![req("x", Equals, &["a"]), req("y", NotEquals, &["b"])])),
            (
                "x=a,y!=b,z in (h,i,j)",
                Some(vec![req("x", Equals, &["a"]), req("y", NotEquals, &["b"]), req("z", In, &["h", "i", "j"])]),
            ),
            ("x=a||y=b", None),
            ("x,,y", None),
            (",x,y", None),
            ("x nott in (y)", None),
            ("x notin ( )", Some(vec![req("x", NotIn, &[""])])),
            ("x notin (, a)", Some(vec![req("x", NotIn, &["", "a"])])),
            ("a in (xyz),", None),
            ("a in (xyz)b notin ()", None),
            ("a ", Some(vec![req("a", Exists, &[])])),
            ("a in (x,y,notin, z,in)", Some(vec![req("a", In, &["in", "notin", "x", "y", "z"])])),
            ("a in (xyz abc)", None),
            ("a notin(", None),
            ("a (", None),
            ("(", None),
            // More edge cases of the grammar.
            ("in in (in)", Some(vec![req("in", In, &["in"])])),
            ("notin notin (notin)", Some(vec![req("notin", NotIn, &["notin"])])),
            ("x=in", Some(vec![req("x", Equals, &["in"])])),
            ("x in (a,,,b)", Some(vec![req("x", In, &["", "a", "b"])])),
            ("x in (,)", Some(vec![req("x", In, &[""])])),
            // Upstream's list parser consumes ",," and then finds the ')': an error, even
            // though spec §5 lists `x in (a,,)` as valid (see the error test below).
            ("x in (,,)", None),
            ("x in (a,,)", None),
            ("x in (a,a)", Some(vec![req("x", In, &["a"])])),
            ("!x,!y", Some(vec![req("x", DoesNotExist, &[]), req("y", DoesNotExist, &[])])),
            ("x , y", Some(vec![req("x", Exists, &[]), req("y", Exists, &[])])),
            ("x=,y", Some(vec![req("x", Equals, &[""]), req("y", Exists, &[])])),
            ("x==", Some(vec![req("x", DoubleEquals, &[""])])),
            ("x!=", Some(vec![req("x", NotEquals, &[""])])),
            ("z=1,a=2,z", Some(vec![req("a", Equals, &["2"]), req("z", Equals, &["1"]), req("z", Exists, &[])])),
            ("x>", None),
            ("x in", None),
            ("x=(", None),
            ("!", None),
            ("x,", None),
        ];
        for (input, want) in cases {
            match (Selector::parse(input), want) {
                (Ok(got), Some(want)) => assert_eq!(got, sel(want), "{input:?}"),
                (Err(_), None) => {}
                (got, want) => panic!("{input:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn parse_error_messages_and_positions() {
        let nm = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        let lv = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        let cases: Vec<(&str, String, u32)> = vec![
            (
                "x=a||y=b",
                format!("unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {lv}"),
                3,
            ),
            ("x=a,,y=b", "found ',', expected: identifier after ','".into(), 5),
            (
                "x in (a,,)",
                "unable to parse requirement: found ')', expected: ',', or identifier".into(),
                10,
            ),
            ("x>-1", format!("unable to parse requirement: values[0][x]: Invalid value: \"-1\": {lv}"), 3),
            ("x==a==b", "found '==', expected: ',' or 'end of string'".into(), 5),
            ("!x=a", "found '=', expected: ',' or 'end of string'".into(), 3),
            ("!x in (a)", "found 'in', expected: ',' or 'end of string'".into(), 4),
            (
                "x<a",
                "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
                3,
            ),
            (
                "x>",
                "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
                3,
            ),
            ("x,,y", "found ',', expected: identifier after ','".into(), 3),
            (",x,y", "found ',', expected: !, identifier, or 'end of string'".into(), 1),
            ("x,", "found '', expected: identifier after ','".into(), 3),
            ("x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt".into(), 3),
            ("a in (xyz),", "found '', expected: identifier after ','".into(), 12),
            ("a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'".into(), 11),
            ("a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'".into(), 11),
            ("a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier".into(), 9),
            ("a in x", "unable to parse requirement: found 'x' expected: '('".into(), 6),
            ("a in (x,=", "unable to parse requirement: found '=', expected: ',', or identifier".into(), 9),
            ("a in (x,", "unable to parse requirement: found '', expected: ',', or identifier".into(), 9),
            ("a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt".into(), 3),
            ("(", "found '(', expected: !, identifier, or 'end of string'".into(), 1),
            ("!", "unable to parse requirement: found '', expected: identifier".into(), 2),
            ("!,x", "unable to parse requirement: found ',', expected: identifier".into(), 2),
            ("x=(", "unable to parse requirement: found '(', expected: identifier".into(), 3),
            ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt".into(), 3),
            ("app in (a", "unable to parse requirement: found '', expected: ',' or ')'".into(), 10),
            ("-x=a", format!("unable to parse requirement: <nil>: Invalid value: \"-x\": {nm}"), 1),
            ("a=b,  é=1", format!("unable to parse requirement: <nil>: Invalid value: \"é\": {nm}"), 7),
            ("x=-a", format!("unable to parse requirement: values[0][x]: Invalid value: \"-a\": {lv}"), 3),
            ("a=b, x in (ok, b$)", format!("unable to parse requirement: values[0][x]: Invalid value: \"b$\": {lv}"), 16),
            (
                "x in (a$,b$)",
                format!("unable to parse requirement: [values[0][x]: Invalid value: \"a$\": {lv}, values[1][x]: Invalid value: \"b$\": {lv}]"),
                7,
            ),
        ];
        for (input, msg, col) in cases {
            let e = parse_err(input);
            assert_eq!(e.kind, ErrorKind::Selector, "{input:?}");
            assert_eq!(e.message, msg, "{input:?}");
            assert_eq!(e.column, Some(col), "{input:?}");
            assert_eq!(e.line, None);
        }
    }

    #[test]
    fn nul_byte_quirk_matches_upstream_lexer() {
        // Upstream's lexer reads a NUL byte as end of input: after whitespace it ends the
        // token stream, inside an identifier it ends the identifier.
        assert_eq!(Selector::parse("a \0garbage").unwrap(), sel(vec![req("a", Operator::Exists, &[])]));
        assert!(Selector::parse("a\0b").is_err());
    }

    // LabelSelectorAsSelector (meta/v1 helpers_test.go)
    #[test]
    fn label_selector_as_selector() {
        let expr = |key: &str, op: &str, values: &[&str]| LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        // nil → Nothing, empty → Everything.
        let nothing = Selector::from_label_selector(None).unwrap();
        assert_eq!(nothing, Selector::nothing());
        assert!(!nothing.matches(&set(&[("a", "b")])));
        let everything = Selector::from_label_selector(Some(&LabelSelector::default())).unwrap();
        assert_eq!(everything, Selector::everything());
        assert!(everything.matches(&set(&[("a", "b")])));

        let ls = LabelSelector {
            match_labels: set(&[("foo", "bar"), ("baz", "blah")]),
            match_expressions: vec![
                expr("baz", "In", &["qux", "norf"]),
                expr("qux", "NotIn", &["norf"]),
                expr("a", "Exists", &[]),
                expr("z", "DoesNotExist", &[]),
            ],
        };
        let s = Selector::from_label_selector(Some(&ls)).unwrap();
        assert_eq!(s.to_string(), "a,baz=blah,baz in (norf,qux),foo=bar,qux notin (norf),!z");
        assert!(!s.matches(&set(&[("foo", "bar"), ("baz", "blah"), ("a", "")])));
        let s2 = Selector::from_label_selector(Some(&LabelSelector {
            match_labels: set(&[("foo", "bar")]),
            match_expressions: vec![expr("baz", "In", &["qux", "norf"])],
        }))
        .unwrap();
        assert_eq!(s2.to_string(), "baz in (norf,qux),foo=bar");
        assert!(s2.matches(&set(&[("foo", "bar"), ("baz", "qux")])));
        assert!(!s2.matches(&set(&[("foo", "bar")])));

        let bad_op = LabelSelector { match_expressions: vec![expr("foo", "Gt", &["1"])], ..Default::default() };
        let e = Selector::from_label_selector(Some(&bad_op)).unwrap_err();
        assert_eq!(e.message, "\"Gt\" is not a valid label selector operator");
        let bad_op = LabelSelector { match_expressions: vec![expr("foo", "in", &["x"])], ..Default::default() };
        assert_eq!(
            Selector::from_label_selector(Some(&bad_op)).unwrap_err().message,
            "\"in\" is not a valid label selector operator"
        );
        // Absent values render as Go's nil slice.
        let no_values = LabelSelector { match_expressions: vec![expr("foo", "In", &[])], ..Default::default() };
        assert_eq!(
            Selector::from_label_selector(Some(&no_values)).unwrap_err().message,
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        let exists_values =
            LabelSelector { match_expressions: vec![expr("foo", "Exists", &["x"])], ..Default::default() };
        assert_eq!(
            Selector::from_label_selector(Some(&exists_values)).unwrap_err().message,
            "values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist"
        );
        let bad_label = LabelSelector { match_labels: set(&[("k", "-v")]), ..Default::default() };
        assert!(Selector::from_label_selector(Some(&bad_label))
            .unwrap_err()
            .message
            .starts_with("values[0][k]: Invalid value: \"-v\": "));
    }

    #[test]
    fn label_selector_deserializes() {
        let ls: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"Exists"}]}"#,
        )
        .unwrap();
        assert_eq!(Selector::from_label_selector(Some(&ls)).unwrap().to_string(), "app=web,tier");
        let empty: LabelSelector = serde_json::from_str("{}").unwrap();
        assert!(Selector::from_label_selector(Some(&empty)).unwrap().is_empty());
    }

    #[test]
    fn go_renderings() {
        assert_eq!(go_quote("a\"b\\c\n\t\u{1}\u{7f}é\u{a0}"), "\"a\\\"b\\\\c\\n\\t\\x01\\x7fé\\u00a0\"");
        assert_eq!(go_json_list(&[]), "[]");
        assert_eq!(go_json_list(&["<a&b>".into(), "q\"".into()]), "[\"\\u003ca\\u0026b\\u003e\",\"q\\\"\"]");
    }

    // Property tests.

    /// A requirement as generated: key, operator, values (not necessarily valid).
    type Raw = (String, Operator, Vec<String>);

    const KEYS: [&str; 4] = ["a", "b", "in", "x.io/c"];
    const REQ_VALUES: [&str; 7] = ["", "x", "y", "1", "2", "10", "in"];
    const LABEL_VALUES: [&str; 9] = ["", "x", "y", "1", "2", "10", "-3", "v2", "99999999999999999999"];
    const OPS: [Operator; 9] = [
        Operator::DoesNotExist,
        Operator::Equals,
        Operator::DoubleEquals,
        Operator::In,
        Operator::NotEquals,
        Operator::NotIn,
        Operator::Exists,
        Operator::GreaterThan,
        Operator::LessThan,
    ];

    fn labels_strategy() -> impl Strategy<Value = Labels> {
        proptest::collection::btree_map(
            proptest::sample::select(&KEYS[..]).prop_map(str::to_owned),
            proptest::sample::select(&LABEL_VALUES[..]).prop_map(str::to_owned),
            0..=4,
        )
    }

    /// (key, operator, values) triples, not necessarily valid.
    fn raw_reqs_strategy() -> impl Strategy<Value = Vec<Raw>> {
        proptest::collection::vec(
            (
                proptest::sample::select(&KEYS[..]).prop_map(str::to_owned),
                proptest::sample::select(&OPS[..]),
                proptest::collection::vec(proptest::sample::select(&REQ_VALUES[..]).prop_map(str::to_owned), 0..=3),
            ),
            0..=4,
        )
    }

    /// The obvious reading of spec §5, written independently of the implementation.
    fn reference(reqs: &[Raw], labels: &Labels) -> bool {
        reqs.iter().all(|(key, op, values)| {
            let got = labels.get(key);
            let listed = |v: &String| values.iter().any(|w| w == v);
            match op {
                Operator::In | Operator::Equals | Operator::DoubleEquals => got.map(listed).unwrap_or(false),
                Operator::NotIn | Operator::NotEquals => got.map(|v| !listed(v)).unwrap_or(true),
                Operator::Exists => got.is_some(),
                Operator::DoesNotExist => got.is_none(),
                Operator::GreaterThan | Operator::LessThan => {
                    let have = got.and_then(|v| v.parse::<i64>().ok());
                    let want = if values.len() == 1 { values[0].parse::<i64>().ok() } else { None };
                    match (have, want) {
                        (Some(h), Some(w)) => {
                            (*op == Operator::GreaterThan && h > w) || (*op == Operator::LessThan && h < w)
                        }
                        _ => false,
                    }
                }
            }
        })
    }

    fn valid(raw: &[Raw]) -> (Vec<Raw>, Vec<Requirement>) {
        let mut kept = Vec::new();
        let mut reqs = Vec::new();
        for (k, op, vs) in raw {
            if let Ok(r) = Requirement::new(k.clone(), *op, vs.clone()) {
                kept.push((k.clone(), *op, vs.clone()));
                reqs.push(r);
            }
        }
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        (kept, reqs)
    }

    fn value_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("in".to_owned()),
            Just("notin".to_owned()),
            "[A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?",
        ]
    }

    fn key_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("in".to_owned()),
            Just("notin".to_owned()),
            "[A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?",
            "[a-z0-9]{1,4}(\\.[a-z0-9]{1,4}){0,2}/[A-Za-z0-9]([-A-Za-z0-9_.]{0,4}[A-Za-z0-9])?",
        ]
    }

    fn requirement_strategy() -> impl Strategy<Value = Requirement> {
        (
            key_strategy(),
            proptest::sample::select(&OPS[..]),
            proptest::collection::vec(value_strategy(), 1..=3),
            "-?[0-9]{1,6}",
        )
            .prop_map(|(k, op, vs, int)| {
                let values: Vec<String> = match op {
                    Operator::Exists | Operator::DoesNotExist => Vec::new(),
                    Operator::In | Operator::NotIn => vs,
                    Operator::GreaterThan | Operator::LessThan => {
                        vec![int.trim_start_matches('-').to_owned()]
                    }
                    _ => vs.into_iter().take(1).collect(),
                };
                Requirement::new(k, op, values).unwrap()
            })
    }

    proptest! {
        #[test]
        fn matches_agrees_with_reference(raw in raw_reqs_strategy(), labels in labels_strategy()) {
            let (kept, reqs) = valid(&raw);
            let want = reference(&kept, &labels);
            let direct = sel(reqs.clone());
            prop_assert_eq!(direct.matches(&labels), want);
            // Through the string form and the parser as well.
            let text: Vec<String> = reqs.iter().map(ToString::to_string).collect();
            let parsed = Selector::parse(&text.join(",")).unwrap();
            prop_assert_eq!(parsed.matches(&labels), want);
            prop_assert_eq!(Selector::nothing().matches(&labels), false);
        }

        #[test]
        fn display_round_trips(reqs in proptest::collection::vec(requirement_strategy(), 0..=5)) {
            let mut reqs = reqs;
            reqs.sort_by(|a, b| a.key.cmp(&b.key));
            let s = sel(reqs);
            let text = s.to_string();
            let back = Selector::parse(&text);
            prop_assert_eq!(back.as_ref().ok(), Some(&s), "{:?} -> {:?}", text, back);
        }

        #[test]
        fn from_labels_matches_superset(labels in labels_strategy(), extra in labels_strategy()) {
            let selector = Selector::from_labels(&labels.iter().filter(|(_, v)| names::label_value(v).is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap();
            let mut target = extra;
            for r in selector.requirements() {
                target.insert(r.key().to_owned(), r.values()[0].clone());
            }
            prop_assert!(selector.matches(&target));
        }

        #[test]
        fn parse_never_panics(text in "[a-z=!(),<> \\t\\x00é-]{0,16}") {
            match Selector::parse(&text) {
                Ok(s) => {
                    let again = Selector::parse(&s.to_string());
                    prop_assert_eq!(again.as_ref().ok(), Some(&s));
                }
                Err(e) => {
                    let col = e.column.unwrap();
                    prop_assert!(col >= 1 && col as usize <= text.chars().count() + 1, "{:?}: {:?}", text, e);
                }
            }
        }

        #[test]
        fn parse_arbitrary_strings(text in any::<String>()) {
            let _ = Selector::parse(&text);
        }
    }
}
